"""Platform adapters: each sub-package translates one chat platform to and from the use cases."""

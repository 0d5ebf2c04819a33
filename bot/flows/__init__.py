"""The multi-step conversations, written once for every platform: typed states, inputs, prompts and their codec."""

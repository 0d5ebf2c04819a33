"""Static files of the sandbox's browser page (plain HTML, CSS and JavaScript, no build step)."""

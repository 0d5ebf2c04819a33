"""The health endpoints each instance serves to its load balancer and its monitoring."""

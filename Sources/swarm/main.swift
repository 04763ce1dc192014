print("swarm")

package engine

// States is the one list of states, in the order a service meets them:
// every surface shows each of them, and the desktop app's tests render
// them all.
var States = []State{Stopped, Preparing, Waiting, Starting, Running, Healthy, Unhealthy, Exited, Crashed, Failed}

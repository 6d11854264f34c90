// Package proc is the engine's local-process runtime: each service runs as
// a command in its own process group (a job object on Windows), is stopped
// by signalling the whole group and is killed, grandchildren included,
// when the grace period ends.
//
// Nothing a service starts may outlive Berth, even when Berth is killed
// with SIGKILL. Three layers make sure of it on Linux and macOS:
//
//   - a guardian: Berth re-executes itself (see init) as a small
//     process that holds one end of a pipe and the list of live process
//     groups; when Berth dies the pipe reads EOF and the guardian stops
//     every group and, where environments can be read (Linux, macOS),
//     every process carrying this run's marker;
//   - a record of process groups on disk, so the next start of the same
//     stack reaps groups that survived a Berth and guardian killed
//     together (after checking they still carry the run's marker) and,
//     where environments can be read, every process with that marker;
//   - on Linux, Pdeathsig on each service's first process, started from a
//     thread that lives as long as the Runtime.
//
// Every service process carries BERTH_RUN, a value unique to its Runtime:
// it is how a process that left its group (setsid) is still found, and
// how a recorded group is told from a stranger that reused its number.
//
// On Windows every service runs in a job object that kills its processes
// when Berth's handle on it closes, which the system does when Berth dies.
package proc

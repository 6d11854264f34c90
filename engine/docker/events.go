package docker

import (
	"context"
	"time"

	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/filters"
)

// watchEngine follows the engine while the runtime lives: each time it
// answers (again), it removes what should go (orphans of services no
// longer in the stack, containers left while it was away) and follows
// its events for the containers' health until the stream breaks.
func (r *Runtime) watchEngine(ctx context.Context) {
	for {
		if err := r.conn.ready(ctx, nil); err != nil {
			return
		}
		r.sweep(ctx)
		r.followEvents(ctx)
		if ctx.Err() != nil {
			return
		}
		if r.conn.check(ctx) == nil {
			// The stream broke with the engine there: not in a hot loop.
			select {
			case <-time.After(r.conn.every):
			case <-ctx.Done():
				return
			}
		}
	}
}

// followEvents reads the health events of the stack's containers until
// the stream breaks. A check's result comes with exec_die (the engine
// runs each check as an exec); a change of status with health_status.
func (r *Runtime) followEvents(ctx context.Context) {
	ectx, cancel := context.WithCancel(ctx)
	defer cancel()
	f := filters.NewArgs(
		filters.Arg("type", string(events.ContainerEventType)),
		filters.Arg("label", LabelStack+"="+r.stack),
		filters.Arg("event", "health_status"),
		filters.Arg("event", "exec_die"),
	)
	msgs, errs := r.cli.Events(ectx, events.ListOptions{Filters: f})
	for _, i := range r.liveInstances() { // what happened while not listening
		i.healthChanged(ctx)
	}
	for {
		select {
		case m := <-msgs:
			r.mu.Lock()
			i := r.live[m.Actor.ID]
			r.mu.Unlock()
			if i != nil {
				i.healthChanged(ctx)
			}
		case <-errs:
			return
		case <-ctx.Done():
			return
		}
	}
}

func (r *Runtime) liveInstances() []*instance {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*instance, 0, len(r.live))
	for _, i := range r.live {
		out = append(out, i)
	}
	return out
}

// sweep removes Berth's containers of services the stack no longer has,
// and those whose run was abandoned while the engine was away.
func (r *Runtime) sweep(ctx context.Context) {
	seen, err := r.observe(ctx, ownFilter(r.stack), "")
	if err != nil {
		r.log.Warn("listing the stack's containers", "error", err)
		return
	}
	plan := reconcile(r.project.Name, nil, r.known(), seen)
	for _, a := range plan.Actions {
		if a.Kind != actRemove {
			continue
		}
		if err := r.remove(ctx, a.Container.ID, true); err != nil {
			r.log.Warn("removing an orphan container", "container", a.Container.Name, "error", err)
			continue
		}
		r.log.Info("removed a container", "container", a.Container.Name, "why", a.Why)
	}
	r.mu.Lock()
	var doomed []string
	for id := range r.doomed {
		if r.live[id] == nil {
			doomed = append(doomed, id)
		}
	}
	r.mu.Unlock()
	for _, id := range doomed {
		if err := r.remove(ctx, id, false); err != nil {
			r.log.Warn("removing a container left while the engine was away", "container", id, "error", err)
			continue
		}
		r.mu.Lock()
		delete(r.doomed, id)
		r.mu.Unlock()
	}
}

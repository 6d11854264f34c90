package docker

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// observed is one container of the Compose project as the engine lists
// it, Berth's or not.
type observed struct {
	ID      string
	Name    string // without Docker's leading slash
	Service string
	Number  int
	Hash    string // config hash label
	Running bool
	Own     bool // carries Berth's labels for this stack
}

// wanted is a service to run now and the container it needs.
type wanted struct {
	Service string
	Hash    string
	// Name is the service's container_name, or "" for Compose's
	// <project>-<service>-<number>.
	Name string
}

// actionKind is what a plan does with one container.
type actionKind int

const (
	actRemove   actionKind = iota // stop (stop signal, grace, kill) and remove
	actReattach                   // keep it running and follow it
	actCreate                     // create and start a new one
	actLeave                      // not Berth's: never touched
	actBlocked                    // cannot create: its name is taken by one not Berth's
)

// action is one step of a plan.
type action struct {
	Kind      actionKind
	Container observed // remove, reattach, leave
	Service   string
	Number    int    // create
	Name      string // create, blocked
	Why       string // remove, leave, blocked
}

// Plan is what reconcile decided, in the order to carry it out: removals
// first, so that a recreated container may take its predecessor's name.
type Plan struct {
	Actions []action
}

// String is the plan one action a line, as tests compare it.
func (p Plan) String() string {
	var b strings.Builder
	for _, a := range p.Actions {
		switch a.Kind {
		case actRemove:
			fmt.Fprintf(&b, "remove %s (%s)\n", a.Container.Name, a.Why)
		case actReattach:
			fmt.Fprintf(&b, "reattach %s\n", a.Container.Name)
		case actCreate:
			fmt.Fprintf(&b, "create %s (service %s, number %d)\n", a.Name, a.Service, a.Number)
		case actLeave:
			fmt.Fprintf(&b, "leave %s (%s)\n", a.Container.Name, a.Why)
		case actBlocked:
			fmt.Fprintf(&b, "blocked %s (%s)\n", a.Name, a.Why)
		}
	}
	return b.String()
}

// reconcile decides, from the containers of the project that exist, how
// to run the wanted services: a running container of Berth's whose config
// hash matches is reattached, any other of Berth's for a wanted service is
// removed and a new one created. Berth's containers of services no longer
// in the stack (known) are orphans and removed. Containers that are not
// Berth's are never touched; their names are only kept clear of.
func reconcile(project string, want []wanted, known map[string]bool, seen []observed) Plan {
	seen = slices.Clone(seen)
	slices.SortFunc(seen, func(a, b observed) int {
		return cmp.Or(cmp.Compare(a.Service, b.Service), cmp.Compare(a.Number, b.Number), cmp.Compare(a.Name, b.Name))
	})
	wantBy := map[string]wanted{}
	for _, w := range want {
		wantBy[w.Service] = w
	}
	var removes, leaves, runs []action
	kept := map[string]bool{}       // names that stay
	reattached := map[string]bool{} // services that keep a container
	for _, c := range seen {
		w, isWanted := wantBy[c.Service]
		switch {
		case !c.Own:
			leaves = append(leaves, action{Kind: actLeave, Container: c, Why: "not Berth's"})
			kept[c.Name] = true
		case !known[c.Service]:
			removes = append(removes, action{Kind: actRemove, Container: c, Why: fmt.Sprintf("orphan: no service %q in the stack", c.Service)})
		case !isWanted:
			kept[c.Name] = true // another service's business
		case c.Hash != w.Hash:
			removes = append(removes, action{Kind: actRemove, Container: c, Why: "config changed"})
		case !c.Running:
			removes = append(removes, action{Kind: actRemove, Container: c, Why: "not running"})
		case reattached[c.Service]:
			removes = append(removes, action{Kind: actRemove, Container: c, Why: "one container per service"})
		default:
			reattached[c.Service] = true
			kept[c.Name] = true
			runs = append(runs, action{Kind: actReattach, Container: c, Service: c.Service})
		}
	}
	for _, w := range want {
		if reattached[w.Service] {
			continue
		}
		if w.Name != "" {
			if kept[w.Name] {
				runs = append(runs, action{Kind: actBlocked, Service: w.Service, Name: w.Name, Why: "container_name is taken by a container that is not Berth's"})
				continue
			}
			runs = append(runs, action{Kind: actCreate, Service: w.Service, Number: 1, Name: w.Name})
			continue
		}
		n := 1
		for kept[containerName(project, w.Service, n)] || numberTaken(seen, kept, w.Service, n) {
			n++
		}
		name := containerName(project, w.Service, n)
		kept[name] = true
		runs = append(runs, action{Kind: actCreate, Service: w.Service, Number: n, Name: name})
	}
	slices.SortStableFunc(runs, func(a, b action) int { return cmp.Compare(a.Service, b.Service) })
	return Plan{Actions: slices.Concat(removes, runs, leaves)}
}

// numberTaken tells whether a container that stays already has number n
// for service: Compose's numbers are unique per service.
func numberTaken(seen []observed, kept map[string]bool, service string, n int) bool {
	for _, c := range seen {
		if c.Service == service && c.Number == n && kept[c.Name] {
			return true
		}
	}
	return false
}

// containerName is Compose's name for a service's n-th container.
func containerName(project, service string, n int) string {
	return fmt.Sprintf("%s-%s-%d", project, service, n)
}

package engine

import (
	"fmt"
	"slices"
	"strings"
)

// Start and stop order are decided here by pure functions of the specs and
// the services' current states, so they can be tested as text; the
// supervising goroutines only ask them.

// verdict is what a service that wants to run may do now.
type verdict struct {
	Start  bool
	Detail string // why it waits: "waiting for db (healthy)"
}

// conditionWords is how a condition reads in a Detail.
func conditionWords(c Condition) string {
	switch c {
	case ServiceHealthy:
		return "healthy"
	case ServiceCompletedSuccessfully:
		return "completed successfully"
	default:
		return "started"
	}
}

// conditionMet tells whether a dependency in state st satisfies c.
// service_started also counts a dependency that ran and exited cleanly
// (a one-shot job started long ago), and one that is running but
// unhealthy: it did start.
func conditionMet(c Condition, st ServiceState) bool {
	switch c {
	case ServiceHealthy:
		return st.State == Healthy
	case ServiceCompletedSuccessfully:
		return st.State == Exited && st.ExitCode == 0
	default:
		switch st.State {
		case Running, Healthy, Unhealthy:
			return true
		case Exited:
			return st.ExitCode == 0
		}
		return false
	}
}

// hasHealth tells whether a spec has anything that can make it healthy.
func hasHealth(sp Spec) bool {
	if len(sp.Probes) > 0 {
		return true
	}
	hc := sp.Healthcheck
	return hc != nil && len(hc.Test) > 0 && hc.Test[0] != "NONE"
}

// startVerdict says whether spec may start now given the others' states.
// A dependency that cannot get there by itself (exited, failed, no health
// check for service_healthy) keeps the service waiting, with the reason,
// rather than failing it: the user can fix and restart the dependency and
// the service then starts on its own.
func startVerdict(spec Spec, specs map[string]Spec, states map[string]ServiceState) verdict {
	var waits []string
	for _, d := range spec.DependsOn {
		st, ok := states[d.Service]
		if !ok {
			waits = append(waits, fmt.Sprintf("waiting for %s, which is not in the stack", d.Service))
			continue
		}
		if conditionMet(d.Condition, st) {
			continue
		}
		w := fmt.Sprintf("waiting for %s (%s)", d.Service, conditionWords(d.Condition))
		if why := blockedWhy(d, specs[d.Service], st); why != "" {
			w += "; " + why
		}
		waits = append(waits, w)
	}
	if len(waits) == 0 {
		return verdict{Start: true}
	}
	return verdict{Detail: strings.Join(waits, ", ")}
}

// blockedWhy explains a dependency that will not meet its condition on its
// own; "" when it is simply on its way.
func blockedWhy(d Dependency, dep Spec, st ServiceState) string {
	switch {
	case d.Condition == ServiceHealthy && !hasHealth(dep):
		return d.Service + " has no health check"
	case st.State == Exited && st.ExitCode != 0:
		return fmt.Sprintf("it exited with code %d", st.ExitCode)
	case st.State == Exited && d.Condition == ServiceHealthy:
		return "it exited"
	case st.State == Failed:
		return "it failed"
	case st.State == Stopped:
		return "it is stopped"
	}
	return ""
}

// startPlan is what every service that wants to run may do now, in stack
// order; its String is what the tests compare.
type startPlan []planStep

type planStep struct {
	Service string
	verdict
}

func (p startPlan) String() string {
	var b strings.Builder
	for _, s := range p {
		if s.Start {
			fmt.Fprintf(&b, "%s: start\n", s.Service)
		} else {
			fmt.Fprintf(&b, "%s: %s\n", s.Service, s.Detail)
		}
	}
	return b.String()
}

// planStart gives the verdict of every service in want (in stack order).
// Services whose verdicts say start may start in parallel.
func planStart(specs []Spec, states map[string]ServiceState, want []string) startPlan {
	byName := specMap(specs)
	var p startPlan
	for _, sp := range specs {
		if slices.Contains(want, sp.Name) {
			p = append(p, planStep{sp.Name, startVerdict(sp, byName, states)})
		}
	}
	return p
}

// stopBlockers names the services that depend on name and still run: with
// an ordered stop, name waits for them to end first.
func stopBlockers(name string, specs []Spec, states map[string]ServiceState) []string {
	var out []string
	for _, sp := range specs {
		for _, d := range sp.DependsOn {
			if d.Service == name && isActive(states[sp.Name].State) {
				out = append(out, sp.Name)
				break
			}
		}
	}
	return out
}

// isActive tells whether a service in state st has (or is getting) a
// running instance.
func isActive(st State) bool {
	switch st {
	case Starting, Running, Healthy, Unhealthy, Preparing:
		return true
	}
	return false
}

// stopLevels is the stop order: services in one level stop together, after
// every level before it. Dependents come before their dependencies.
// Services caught in a cycle come first, in stack order.
func stopLevels(specs []Spec) [][]string {
	start := startLevels(specs)
	slices.Reverse(start)
	return start
}

// startLevels groups services by depth: a service's level is one more than
// its deepest dependency's. Cyclic and dangling services go last, alone in
// their own level.
func startLevels(specs []Spec) [][]string {
	byName := specMap(specs)
	depth := map[string]int{}
	var visit func(name string, path map[string]bool) int
	visit = func(name string, path map[string]bool) int {
		if d, ok := depth[name]; ok {
			return d
		}
		sp, ok := byName[name]
		if !ok || path[name] {
			return -1
		}
		path[name] = true
		defer delete(path, name)
		d := 0
		for _, dep := range sp.DependsOn {
			dd := visit(dep.Service, path)
			if dd < 0 {
				return -1
			}
			d = max(d, dd+1)
		}
		depth[name] = d
		return d
	}
	var levels [][]string
	var broken []string
	for _, sp := range specs {
		d := visit(sp.Name, map[string]bool{})
		if d < 0 {
			broken = append(broken, sp.Name)
			continue
		}
		for len(levels) <= d {
			levels = append(levels, nil)
		}
		levels[d] = append(levels[d], sp.Name)
	}
	if len(broken) > 0 {
		levels = append(levels, broken)
	}
	return levels
}

// formatLevels writes levels as "a b | c | d" for tests and logs.
func formatLevels(levels [][]string) string {
	parts := make([]string, len(levels))
	for i, l := range levels {
		parts[i] = strings.Join(l, " ")
	}
	return strings.Join(parts, " | ")
}

// CheckDependencies reports depends_on entries naming unknown services, a
// service depending on itself, and cycles, as "dependency cycle: a -> b ->
// a". The supervisor marks such services failed with the same words.
func CheckDependencies(specs []Spec) error {
	for _, sp := range specs {
		if why := dependencyProblem(sp.Name, specs); why != "" {
			return fmt.Errorf("service %s: %s", sp.Name, why)
		}
	}
	return nil
}

// dependencyProblem says why name can never start because of its
// depends_on (an unknown service, or a cycle through it), or "".
func dependencyProblem(name string, specs []Spec) string {
	byName := specMap(specs)
	for _, d := range byName[name].DependsOn {
		if _, ok := byName[d.Service]; !ok {
			return fmt.Sprintf("depends on %s, which is not in the stack", d.Service)
		}
	}
	if cyc := cycleThrough(name, byName); cyc != nil {
		return "dependency cycle: " + strings.Join(cyc, " -> ")
	}
	if bad := brokenDependency(name, byName, map[string]bool{}); bad != "" {
		return fmt.Sprintf("depends on %s, which can never start", bad)
	}
	return ""
}

// cycleThrough returns a cycle from name back to name (name, ..., name), or
// nil. It walks dependencies depth first, in declaration order, so the
// cycle reported is stable.
func cycleThrough(name string, byName map[string]Spec) []string {
	seen := map[string]bool{}
	var path []string
	var walk func(n string) bool
	walk = func(n string) bool {
		path = append(path, n)
		for _, d := range byName[n].DependsOn {
			if d.Service == name {
				path = append(path, name)
				return true
			}
			if _, ok := byName[d.Service]; !ok || seen[d.Service] {
				continue
			}
			seen[d.Service] = true
			if walk(d.Service) {
				return true
			}
		}
		path = path[:len(path)-1]
		return false
	}
	if walk(name) {
		return path
	}
	return nil
}

// brokenDependency names the dependency of name through which it reaches
// an unknown service or a cycle, or "".
func brokenDependency(name string, byName map[string]Spec, seen map[string]bool) string {
	for _, d := range byName[name].DependsOn {
		if seen[d.Service] {
			continue
		}
		seen[d.Service] = true
		if _, ok := byName[d.Service]; !ok || cycleThrough(d.Service, byName) != nil ||
			brokenDependency(d.Service, byName, seen) != "" {
			return d.Service
		}
	}
	return ""
}

// dependencies lists name and every service it depends on, transitively.
func dependencies(name string, specs []Spec) []string {
	byName := specMap(specs)
	seen := map[string]bool{}
	var out []string
	var walk func(n string)
	walk = func(n string) {
		if seen[n] {
			return
		}
		seen[n] = true
		out = append(out, n)
		for _, d := range byName[n].DependsOn {
			if _, ok := byName[d.Service]; ok {
				walk(d.Service)
			}
		}
	}
	walk(name)
	return out
}

func specMap(specs []Spec) map[string]Spec {
	m := make(map[string]Spec, len(specs))
	for _, sp := range specs {
		m[sp.Name] = sp
	}
	return m
}

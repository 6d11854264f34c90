package engine

import (
	"strconv"
	"strings"
	"testing"
)

// stack builds specs from lines "name dep:condition ...", with "+health"
// for a service that has a health check.
func stack(t *testing.T, text string) []Spec {
	t.Helper()
	conds := map[string]Condition{
		"started": ServiceStarted, "healthy": ServiceHealthy, "completed": ServiceCompletedSuccessfully,
	}
	var specs []Spec
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		f := strings.Fields(line)
		sp := Spec{Name: f[0]}
		for _, w := range f[1:] {
			if w == "+health" {
				sp.Probes = append(sp.Probes, Probe{Kind: ProbeTCP})
				continue
			}
			name, c, _ := strings.Cut(w, ":")
			cond, ok := conds[c]
			if !ok {
				t.Fatalf("bad condition in %q", w)
			}
			sp.DependsOn = append(sp.DependsOn, Dependency{Service: name, Condition: cond})
		}
		specs = append(specs, sp)
	}
	return specs
}

// states reads "db=healthy migrate=exited(1)"; services not named are
// stopped.
func states(t *testing.T, specs []Spec, text string) map[string]ServiceState {
	t.Helper()
	m := map[string]ServiceState{}
	for _, sp := range specs {
		m[sp.Name] = ServiceState{Name: sp.Name, State: Stopped}
	}
	for _, w := range strings.Fields(text) {
		name, st, _ := strings.Cut(w, "=")
		s := ServiceState{Name: name, State: State(st)}
		if code, ok := strings.CutPrefix(st, "exited("); ok {
			n, err := strconv.Atoi(strings.TrimSuffix(code, ")"))
			if err != nil {
				t.Fatal(err)
			}
			s.State, s.ExitCode = Exited, n
		}
		m[name] = s
	}
	return m
}

func TestPlanStart(t *testing.T) {
	const app = `
db +health
cache
migrate db:healthy
web db:healthy cache:started migrate:completed
worker cache:started`
	tests := []struct {
		name, stack, states, want string
	}{
		{"all stopped: independent services start together", app, "", `
db: start
cache: start
migrate: waiting for db (healthy); it is stopped
web: waiting for db (healthy); it is stopped, waiting for cache (started); it is stopped, waiting for migrate (completed successfully); it is stopped
worker: waiting for cache (started); it is stopped
`},
		{"starting is not started", app, "db=starting cache=starting", `
db: start
cache: start
migrate: waiting for db (healthy)
web: waiting for db (healthy), waiting for cache (started), waiting for migrate (completed successfully); it is stopped
worker: waiting for cache (started)
`},
		{"running is started, not healthy", app, "db=running cache=running", `
db: start
cache: start
migrate: waiting for db (healthy)
web: waiting for db (healthy), waiting for migrate (completed successfully); it is stopped
worker: start
`},
		{"unhealthy counts as started", app, "db=unhealthy cache=unhealthy", `
db: start
cache: start
migrate: waiting for db (healthy)
web: waiting for db (healthy), waiting for migrate (completed successfully); it is stopped
worker: start
`},
		{"healthy; migration running", app, "db=healthy cache=healthy migrate=running", `
db: start
cache: start
migrate: start
web: waiting for migrate (completed successfully)
worker: start
`},
		{"migration done", app, "db=healthy cache=running migrate=exited(0)", `
db: start
cache: start
migrate: start
web: start
worker: start
`},
		{"migration failed", app, "db=healthy cache=running migrate=exited(3)", `
db: start
cache: start
migrate: start
web: waiting for migrate (completed successfully); it exited with code 3
worker: start
`},
		{"a one-shot that exited cleanly has started", "job\nnext job:started", "job=exited(0)", `
job: start
next: start
`},
		{"exited with an error has not", "job\nnext job:started", "job=exited(1)", `
job: start
next: waiting for job (started); it exited with code 1
`},
		{"healthy needs a health check", "db\nweb db:healthy", "db=running", `
db: start
web: waiting for db (healthy); db has no health check
`},
		{"crashed and failed dependencies", "a +health\nb +health\nc a:healthy b:started", "a=crashed b=failed", `
a: start
b: start
c: waiting for a (healthy), waiting for b (started); it failed
`},
		{"unknown dependency", "web ghost:started", "", `
web: waiting for ghost, which is not in the stack
`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			specs := stack(t, tc.stack)
			var all []string
			for _, sp := range specs {
				all = append(all, sp.Name)
			}
			got := planStart(specs, states(t, specs, tc.states), all).String()
			if want := strings.TrimPrefix(tc.want, "\n"); got != want {
				t.Errorf("got:\n%swant:\n%s", got, want)
			}
		})
	}
}

func TestStopOrder(t *testing.T) {
	tests := []struct{ stack, levels string }{
		{"a\nb\nc", "a b c"},
		{"db\nweb db:started", "web | db"},
		{"db\ncache\nmigrate db:healthy\nweb db:healthy cache:started migrate:completed\nworker cache:started",
			"web | migrate worker | db cache"},
		{"web api:started\napi db:started\ndb", "web | api | db"},
		{"a b:started\nb a:started\nc", "a b | c"},
	}
	for _, tc := range tests {
		got := formatLevels(stopLevels(stack(t, tc.stack)))
		if got != tc.levels {
			t.Errorf("%q: stop order %q, want %q", tc.stack, got, tc.levels)
		}
	}
}

func TestStopBlockers(t *testing.T) {
	specs := stack(t, "db\napi db:started\nweb db:healthy api:started\njob db:started")
	tests := []struct{ states, want string }{
		{"db=running api=running web=healthy job=exited(0)", "db: api web; api: web; web: ; job: "},
		{"db=running api=running web=stopped job=running", "db: api job; api: ; web: ; job: "},
		{"db=running api=starting web=waiting job=crashed", "db: api; api: ; web: ; job: "},
		{"db=unhealthy api=failed web=stopped job=stopped", "db: ; api: ; web: ; job: "},
	}
	for _, tc := range tests {
		st := states(t, specs, tc.states)
		var parts []string
		for _, sp := range specs {
			parts = append(parts, sp.Name+": "+strings.Join(stopBlockers(sp.Name, specs, st), " "))
		}
		if got := strings.Join(parts, "; "); got != tc.want {
			t.Errorf("%s:\ngot  %q\nwant %q", tc.states, got, tc.want)
		}
	}
}

func TestDependencyProblems(t *testing.T) {
	tests := []struct{ stack, want string }{
		{"db\nweb db:started", "db: \nweb: \n"},
		{"a a:started", "a: dependency cycle: a -> a\n"},
		{"a b:started\nb c:started\nc a:started\nd c:healthy\ne", `a: dependency cycle: a -> b -> c -> a
b: dependency cycle: b -> c -> a -> b
c: dependency cycle: c -> a -> b -> c
d: depends on c, which can never start
e: 
`},
		{"web api:started\napi ghost:started", "web: depends on api, which can never start\napi: depends on ghost, which is not in the stack\n"},
	}
	for _, tc := range tests {
		specs := stack(t, tc.stack)
		var b strings.Builder
		for _, sp := range specs {
			b.WriteString(sp.Name + ": " + dependencyProblem(sp.Name, specs) + "\n")
		}
		if got := b.String(); got != tc.want {
			t.Errorf("%q:\ngot:\n%swant:\n%s", tc.stack, got, tc.want)
		}
	}
	err := CheckDependencies(stack(t, "a b:started\nb a:started"))
	if err == nil || err.Error() != "service a: dependency cycle: a -> b -> a" {
		t.Errorf("CheckDependencies: %v", err)
	}
	if err := CheckDependencies(stack(t, "a\nb a:healthy")); err != nil {
		t.Errorf("CheckDependencies of a good stack: %v", err)
	}
}

package engine

import "testing"

func TestMovable(t *testing.T) {
	socket := Spec{Serves: true, Socket: "web.sock"}
	port := Spec{Serves: true, Port: 8000}
	for _, c := range []struct {
		name     string
		spec     Spec
		from, to RuntimeKind
		want     bool
	}{
		{"socket service to a container", socket, Process, Container, true},
		{"socket service back to a process", socket, Container, Process, true},
		{"same runtime (a restart)", socket, Process, Process, false},
		{"fixed port: both would want it", port, Process, Container, false},
		{"serves nothing: two workers at once", Spec{}, Process, Container, false},
	} {
		if got := movable(c.spec, c.from, c.to); got != c.want {
			t.Errorf("%s: movable = %v, want %v", c.name, got, c.want)
		}
	}
}

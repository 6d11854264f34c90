package engine

import "testing"

func TestSubscribeReplacesUnread(t *testing.T) {
	s := New([]Spec{{Name: "a"}, {Name: "b"}}, nil, Options{})
	ch, cancel := s.Subscribe()
	if first := <-ch; first.Version != s.Snapshot().Version || len(first.Services) != 2 {
		t.Fatalf("first snapshot %+v", first)
	}
	for range 5 { // ten new snapshots nobody reads: the engine goes on
		must(t, s.SetRuntime("a", Container))
		must(t, s.SetRuntime("a", Process))
	}
	got := <-ch
	if got.Version != s.Snapshot().Version {
		t.Errorf("read version %d, current %d", got.Version, s.Snapshot().Version)
	}
	select {
	case extra := <-ch:
		t.Errorf("a second snapshot waited: %d", extra.Version)
	default:
	}
	got.Services[0].Name = "changed"
	if s.Snapshot().Services[0].Name != "a" {
		t.Error("a snapshot shares its services with the engine")
	}
	cancel()
	if _, ok := <-ch; ok {
		t.Error("channel open after cancel")
	}
	cancel()
}

func TestSnapshotBeforeRun(t *testing.T) {
	s := New([]Spec{{Name: "a"}, {Name: "b", DependsOn: []Dependency{{Service: "b"}}}}, nil, Options{})
	a, _ := s.Snapshot().Service("a")
	b, _ := s.Snapshot().Service("b")
	if a.State != Stopped || a.Runtime != Process || b.State != Failed || b.Detail != "dependency cycle: b -> b" {
		t.Errorf("a %s %s, b %s %q", a.State, a.Runtime, b.State, b.Detail)
	}
	if _, ok := s.Snapshot().Service("c"); ok {
		t.Error("found c")
	}
	for _, err := range []error{s.Start("c"), s.Stop("c"), s.Restart("c"), s.Toggle("c"), s.SetRuntime("c", Process)} {
		if err == nil || err.Error() != `no service "c"` {
			t.Errorf("command on an unknown service: %v", err)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

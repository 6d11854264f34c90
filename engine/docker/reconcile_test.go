package docker

import (
	"strconv"
	"strings"
	"testing"
)

// Each case is written as text: the wanted services (service=hash, or
// service=hash@container_name), the services the stack knows, and the
// containers seen, one a line as "name service number hash state owner".
var reconcileCases = []struct {
	name, want, known, seen, plan string
}{
	{
		name: "nothing there: create",
		want: "web=h1", known: "web",
		plan: "create app-web-1 (service web, number 1)\n",
	},
	{
		name: "same config, running: reattach",
		want: "web=h1", known: "web",
		seen: "app-web-1 web 1 h1 running own",
		plan: "reattach app-web-1\n",
	},
	{
		name: "config changed: recreate under the same name",
		want: "web=h2", known: "web",
		seen: "app-web-1 web 1 h1 running own",
		plan: "remove app-web-1 (config changed)\ncreate app-web-1 (service web, number 1)\n",
	},
	{
		name: "same config but exited: recreate",
		want: "web=h1", known: "web",
		seen: "app-web-1 web 1 h1 exited own",
		plan: "remove app-web-1 (not running)\ncreate app-web-1 (service web, number 1)\n",
	},
	{
		name: "two of Berth's: keep the first, remove the other",
		want: "web=h1", known: "web",
		seen: "app-web-2 web 2 h1 running own\napp-web-1 web 1 h1 running own",
		plan: "remove app-web-2 (one container per service)\nreattach app-web-1\n",
	},
	{
		name: "orphan of a removed service",
		want: "", known: "web",
		seen: "app-old-1 old 1 h1 running own\napp-web-1 web 1 h1 running own",
		plan: "remove app-old-1 (orphan: no service \"old\" in the stack)\n",
	},
	{
		name: "another service's container is not this start's business",
		want: "web=h1", known: "web db",
		seen: "app-db-1 db 1 hx exited own",
		plan: "create app-web-1 (service web, number 1)\n",
	},
	{
		name: "a compose project of the same name: never touched, its number kept clear of",
		want: "web=h1", known: "web",
		seen: "app-web-1 web 1 h1 running foreign",
		plan: "create app-web-2 (service web, number 2)\nleave app-web-1 (not Berth's)\n",
	},
	{
		name: "a foreign orphan is not Berth's to remove either",
		want: "", known: "web",
		seen: "app-gone-1 gone 1 h1 running foreign",
		plan: "leave app-gone-1 (not Berth's)\n",
	},
	{
		name: "recreate beside a foreign container",
		want: "web=h2", known: "web",
		seen: "app-web-1 web 1 h1 running foreign\napp-web-2 web 2 h1 running own",
		plan: "remove app-web-2 (config changed)\ncreate app-web-2 (service web, number 2)\nleave app-web-1 (not Berth's)\n",
	},
	{
		name: "container_name taken by a foreign container",
		want: "web=h1@fixed", known: "web",
		seen: "fixed web 1 h1 running foreign",
		plan: "blocked fixed (container_name is taken by a container that is not Berth's)\nleave fixed (not Berth's)\n",
	},
	{
		name: "container_name of Berth's with an old config",
		want: "web=h2@fixed", known: "web",
		seen: "fixed web 1 h1 running own",
		plan: "remove fixed (config changed)\ncreate fixed (service web, number 1)\n",
	},
	{
		name: "several services at once, in service order",
		want: "web=h1 api=h2", known: "web api",
		seen: "app-web-1 web 1 h1 running own\napp-api-1 api 1 h0 running own",
		plan: "remove app-api-1 (config changed)\ncreate app-api-1 (service api, number 1)\nreattach app-web-1\n",
	},
}

func TestReconcile(t *testing.T) {
	for _, tc := range reconcileCases {
		t.Run(tc.name, func(t *testing.T) {
			var want []wanted
			for _, w := range strings.Fields(tc.want) {
				svc, hash, _ := strings.Cut(w, "=")
				hash, name, _ := strings.Cut(hash, "@")
				want = append(want, wanted{Service: svc, Hash: hash, Name: name})
			}
			known := map[string]bool{}
			for _, k := range strings.Fields(tc.known) {
				known[k] = true
			}
			var seen []observed
			for i, line := range strings.Split(strings.TrimSpace(tc.seen), "\n") {
				f := strings.Fields(line)
				if len(f) == 0 {
					continue
				}
				if len(f) != 6 {
					t.Fatalf("seen line %q: want 6 fields", line)
				}
				n, _ := strconv.Atoi(f[2])
				seen = append(seen, observed{
					ID: strconv.Itoa(i), Name: f[0], Service: f[1], Number: n, Hash: f[3],
					Running: f[4] == "running", Own: f[5] == "own",
				})
			}
			got := reconcile("app", want, known, seen).String()
			if got != tc.plan {
				t.Errorf("plan:\n%s\nwant:\n%s", got, tc.plan)
			}
		})
	}
}

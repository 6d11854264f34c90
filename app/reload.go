package app

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/berth-dev/berth/gateway"
)

// routeLines renders a table as one line per route, for diffs: what a
// user would notice changing.
func routeLines(t *gateway.Table) []string {
	var out []string
	var walk func(prefix string, locs []*gateway.Location)
	walk = func(prefix string, locs []*gateway.Location) {
		for _, l := range locs {
			h := "static files"
			if l.Handler != nil {
				h = string(l.Handler.Kind) + " " + l.Handler.Target
			}
			out = append(out, prefix+"location "+l.Label()+" → "+h)
			walk(prefix+"location "+l.Label()+" > ", l.Children.All())
		}
	}
	for _, s := range t.Servers {
		var listens []string
		for _, l := range s.Listens {
			listens = append(listens, l.Socket())
		}
		walk(fmt.Sprintf("server %s (%s): ", displayNames(s.Names), strings.Join(listens, " ")), s.Locations.All())
	}
	sort.Strings(out)
	return out
}

// routeDiff lists what changed between two tables: "+ route", "- route".
func routeDiff(old, new *gateway.Table) []string {
	a, b := map[string]bool{}, map[string]bool{}
	for _, l := range routeLines(old) {
		a[l] = true
	}
	for _, l := range routeLines(new) {
		b[l] = true
	}
	var out []string
	for _, l := range routeLines(old) {
		if !b[l] {
			out = append(out, "- "+l)
		}
	}
	for _, l := range routeLines(new) {
		if !a[l] {
			out = append(out, "+ "+l)
		}
	}
	return out
}

// watchFiles calls changed whenever one of files changes on disk
// (checked every interval), until ctx ends. Polling keeps it portable and
// dependency-free; a config edit shows within one interval.
func watchFiles(ctx context.Context, interval time.Duration, files func() []string, changed func()) {
	stamp := func() string {
		var b strings.Builder
		for _, f := range files() {
			if fi, err := os.Stat(f); err == nil {
				fmt.Fprintf(&b, "%s %d %d\n", f, fi.ModTime().UnixNano(), fi.Size())
			} else {
				fmt.Fprintf(&b, "%s missing\n", f)
			}
		}
		return b.String()
	}
	last := stamp()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if now := stamp(); now != last {
				last = now
				changed()
			}
		}
	}
}

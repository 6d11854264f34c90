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
	return lineDiff(routeLines(old), routeLines(new))
}

// lineDiff lists the lines only in old as "- line", then those only in
// new as "+ line".
func lineDiff(old, new []string) []string {
	a, b := map[string]bool{}, map[string]bool{}
	for _, l := range old {
		a[l] = true
	}
	for _, l := range new {
		b[l] = true
	}
	var out []string
	for _, l := range old {
		if !b[l] {
			out = append(out, "- "+l)
		}
	}
	for _, l := range new {
		if !a[l] {
			out = append(out, "+ "+l)
		}
	}
	return out
}

// fileStamp is what watchFiles compares: the files' names, and their
// modification times and sizes.
type fileStamp struct{ names, stats string }

// stampFiles reads the stamp of files now.
func stampFiles(files []string) fileStamp {
	var names, stats strings.Builder
	for _, f := range files {
		names.WriteString(f + "\n")
		if fi, err := os.Stat(f); err == nil {
			fmt.Fprintf(&stats, "%s %d %d\n", f, fi.ModTime().UnixNano(), fi.Size())
		} else {
			fmt.Fprintf(&stats, "%s missing\n", f)
		}
	}
	return fileStamp{names.String(), stats.String()}
}

// watchFiles calls changed whenever one of files changes on disk
// (checked every interval) from how since found them, until ctx ends.
// since is taken when the files were read, so that an edit made before
// the watch begins is seen too. Polling keeps it portable and
// dependency-free; a config edit shows within one interval.
func watchFiles(ctx context.Context, interval time.Duration, files func() []string, since fileStamp, changed func()) {
	last := since
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			// A new list of files (a reload read others) is a new
			// starting point, not an edit.
			now := stampFiles(files())
			if now.stats != last.stats && now.names == last.names {
				changed()
			}
			last = now
		}
	}
}

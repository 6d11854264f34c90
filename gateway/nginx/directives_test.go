package nginx

import (
	goflag "flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var nginxTable = goflag.Bool("nginx-table", false, "check every directive table row against nginx -t (slow: ~10k runs)")

// loadable lists the directives of Debian's loadable http modules: the
// nginx on a test machine has not loaded them, so it calls them unknown.
func loadable(name string) bool {
	for _, p := range []string{"geoip_", "image_filter", "xslt_", "xml_entities", "perl", "stream", "mail"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// where wraps one directive line in a full nginx.conf so that it sits in
// ctx. The directive is alone on line 10, so nginx's errors about it name
// line 10.
func where(ctx context, line string) string {
	open := map[context]string{
		ctxMain:        "",
		ctxEvents:      "events {",
		ctxHTTP:        "events {} http {",
		ctxServer:      "events {} http { server {",
		ctxLocation:    "events {} http { server { location / {",
		ctxUpstream:    "events {} http { upstream u {",
		ctxIfServer:    "events {} http { server { if ($uri) {",
		ctxIfLocation:  "events {} http { server { location / { if ($uri) {",
		ctxLimitExcept: "events {} http { server { location / { limit_except GET {",
	}[ctx]
	closing := strings.Repeat("}", strings.Count(open, "{")-strings.Count(open, "}"))
	if ctx == ctxMain {
		closing = "events {}"
	}
	return open + strings.Repeat("\n", 9) + line + "\n" + closing + "\n"
}

// directiveLine writes `name x x ... ;` (or with a block) with n arguments.
func directiveLine(s spec, n int, value string) string {
	words := []string{s.name}
	for range n {
		words = append(words, value)
	}
	if s.flags&isBlock != 0 {
		return strings.Join(words, " ") + " { }"
	}
	return strings.Join(words, " ") + ";"
}

func firstContext(c context) context {
	for b := ctxMain; b <= ctxLimitExcept; b <<= 1 {
		if c&b != 0 {
			return b
		}
	}
	return 0
}

func minArgs(r argRule) int {
	for n := 0; n <= 8; n++ {
		if r.allows(n) {
			return n
		}
	}
	return 0
}

// TestDirectiveTableMatchesNginx puts every directive in every context and
// with every argument count, and checks that nginx -t refuses exactly
// where the table says it would.
func TestDirectiveTableMatchesNginx(t *testing.T) {
	if !*nginxTable {
		t.Skip("run with -nginx-table")
	}
	bin := nginxBinary(t)
	type probe struct {
		what, conf string
		check      func(msg string) string // "" when nginx's answer is right
	}
	var probes []probe
	for _, s := range directiveTable {
		if loadable(s.name) || s.ctx == ctxAny {
			continue
		}
		name := s.name
		generic := func(msg string) bool {
			for _, m := range []string{"is not allowed here", "unknown directive", "invalid number of arguments in \"" + name + "\"",
				"is not terminated by", "has no opening", "it must be \"on\" or \"off\""} {
				if strings.Contains(msg, m) && strings.Contains(msg, ":10") {
					return true
				}
			}
			return false
		}
		for ctx := ctxMain; ctx <= ctxLimitExcept; ctx <<= 1 {
			line := directiveLine(s, minArgs(s.args), "on")
			if s.ctx&ctx != 0 {
				probes = append(probes, probe{fmt.Sprintf("%s in %s", name, ctx), where(ctx, line), func(msg string) string {
					if generic(msg) {
						return "refused where the table allows it: " + msg
					}
					return ""
				}})
				continue
			}
			if _, ok := allowed(name, ctx); ok {
				continue // another row with this name
			}
			want := fmt.Sprintf(`"%s" directive is not allowed here in nginx.conf:10`, name)
			probes = append(probes, probe{fmt.Sprintf("%s in %s", name, ctx), where(ctx, line), func(msg string) string {
				if msg != want {
					return "want " + want + ", got " + msg
				}
				return ""
			}})
		}
		ctx := firstContext(s.ctx)
		for n := 0; n <= 8; n++ {
			want := fmt.Sprintf(`invalid number of arguments in "%s" directive in nginx.conf:10`, name)
			refuse := !s.args.allows(n)
			probes = append(probes, probe{fmt.Sprintf("%s with %d args", name, n), where(ctx, directiveLine(s, n, "on")), func(msg string) string {
				if refuse && msg != want {
					return "want " + want + ", got " + msg
				}
				if !refuse && generic(msg) {
					return "refused a count the table allows: " + msg
				}
				return ""
			}})
		}
		if s.args&flag != 0 || s.flags&onOff != 0 {
			want := fmt.Sprintf(`invalid value "maybe" in "%s" directive, it must be "on" or "off" in nginx.conf:10`, name)
			onoff := s.flags&onOff != 0
			probes = append(probes, probe{name + " maybe", where(ctx, directiveLine(s, 1, "maybe")), func(msg string) string {
				if onoff != (msg == want) {
					return fmt.Sprintf("on/off check is %v in the table; nginx said %s", onoff, msg)
				}
				return ""
			}})
		}
	}
	t.Logf("%d probes", len(probes))

	base := t.TempDir()
	work := make(chan int)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			dir := filepath.Join(base, fmt.Sprint(w))
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Error(err)
				return
			}
			for i := range work {
				p := probes[i]
				if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(p.conf), 0o644); err != nil {
					t.Error(err)
					return
				}
				msg, err := nginxRun(bin, dir, "nginx.conf", false)
				if err != nil {
					msg = "(" + err.Error() + ")"
				}
				if problem := p.check(msg); problem != "" {
					mu.Lock()
					t.Errorf("%s: %s", p.what, problem)
					mu.Unlock()
				}
			}
		})
	}
	for i := range probes {
		work <- i
	}
	close(work)
	wg.Wait()
}

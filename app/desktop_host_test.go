package app

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"

	"github.com/berth-dev/berth/ui"
)

// newTestHost is a desktop host with its own config and cache folders,
// closed (its stack stopped) when the test ends.
func newTestHost(tb testing.TB) *deskHost {
	tb.Helper()
	tb.Setenv("XDG_CONFIG_HOME", tb.TempDir())
	tb.Setenv("XDG_CACHE_HOME", tb.TempDir())
	h, err := newDeskHost(hclog.NewNullLogger())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(h.close)
	return h
}

// A gateway port another program holds: the desktop host names the
// holder and offers the next free port for the same nginx listen port.
func TestDesktopOffersTheNextFreePort(t *testing.T) {
	h := newTestHost(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	taken := l.Addr().(*net.TCPAddr).Port

	if err := h.SaveSettings(ui.Settings{GatewayPorts: map[int]int{80: taken}, LogLines: 1000}); err != nil {
		t.Fatal(err)
	}
	_, err = h.Open(demoPath)
	var offer *ui.PortTakenError
	if !errors.As(err, &offer) {
		t.Fatalf("Open with port %d taken: %v, want a PortTakenError", taken, err)
	}
	if offer.Prod != 80 || offer.Free <= taken {
		t.Errorf("offer: nginx port %d on %d, want 80 on a port above %d", offer.Prod, offer.Free, taken)
	}
	if want := fmt.Sprintf("port %d is taken by", taken); !strings.Contains(offer.Error(), want) || !strings.Contains(offer.Error(), fmt.Sprintf("pid %d", os.Getpid())) {
		t.Errorf("the error %q does not name the holder (this test, pid %d)", offer.Error(), os.Getpid())
	}
	// Taking the offer opens the stack.
	if err := h.UsePort(offer.Prod, offer.Free); err != nil {
		t.Fatal(err)
	}
	st, err := h.Open(demoPath)
	if err != nil {
		t.Fatalf("Open on the offered port: %v", err)
	}
	if got := st.GatewayURL(); got != fmt.Sprintf("http://127.0.0.1:%d/", offer.Free) {
		t.Errorf("the gateway serves at %q", got)
	}
	// The match box takes the local URL as the request nginx gets on 80.
	answer := st.Match(fmt.Sprintf("http://localhost:%d/api/service2/users/7?x=1", offer.Free))
	for _, want := range []string{"(port 80)", "location  /api/service2/ at", "handler   uwsgi_pass django2", "SERVER_PORT=" + strconv.Itoa(offer.Free)} {
		if !strings.Contains(answer, want) {
			t.Errorf("the match box lacks %q; it says:\n%s", want, answer)
		}
	}
}

// The host checks the settings the user types, and keeps a taken port's
// offer among the others.
func TestDesktopSettings(t *testing.T) {
	h := newTestHost(t)
	for _, c := range []struct {
		s   ui.Settings
		err string
	}{
		{ui.Settings{GatewayPorts: map[int]int{80: 8080, 443: 8443}, LogLines: 100, Theme: "dark"}, ""},
		{ui.Settings{LogLines: 5000}, ""},
		{ui.Settings{LogLines: 99}, "log lines: give a number of at least 100"},
		{ui.Settings{GatewayPorts: map[int]int{80: 70000}, LogLines: 1000}, "gateway ports: 80:70000 is not a port mapping"},
		{ui.Settings{GatewayPorts: map[int]int{0: 80}, LogLines: 1000}, "gateway ports: 0:80 is not a port mapping"},
		{ui.Settings{LogLines: 1000, Theme: "blue"}, `theme: "blue" is not system, light or dark`},
	} {
		err := h.SaveSettings(c.s)
		if c.err == "" && err != nil || c.err != "" && (err == nil || !strings.HasPrefix(err.Error(), c.err)) {
			t.Errorf("SaveSettings(%+v) = %v, want %q", c.s, err, c.err)
		}
	}
	if err := h.SaveSettings(ui.Settings{GatewayPorts: map[int]int{443: 8443}, LogLines: 2000}); err != nil {
		t.Fatal(err)
	}
	if err := h.UsePort(80, 18123); err != nil {
		t.Fatal(err)
	}
	if got := h.Settings(); !reflect.DeepEqual(got.GatewayPorts, map[int]int{80: 18123, 443: 8443}) || got.LogLines != 2000 {
		t.Errorf("after UsePort: %+v", got)
	}
	if err := h.UsePort(80, 0); err == nil {
		t.Errorf("UsePort took port 0")
	}
}

// A dropped nginx config is imported beside itself and the stack opened;
// a dropped stack file or folder is opened as it is.
func TestDesktopStackForDrops(t *testing.T) {
	h := newTestHost(t)
	dir := t.TempDir()
	conf := filepath.Join(dir, "site.conf")
	if err := os.WriteFile(conf, []byte("server {\n    listen 80;\n    location / { proxy_pass http://web:8000; }\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := h.StackFor(conf)
	if want := filepath.Join(dir, "compose.yaml"); err != nil || got != want {
		t.Fatalf("StackFor(%s) = %q, %v; want %s", conf, got, err, want)
	}
	if text, err := os.ReadFile(got); err != nil || !strings.Contains(string(text), "web") {
		t.Errorf("the imported stack: %q, %v", text, err)
	}
	if _, err := h.StackFor(conf); err == nil || !strings.Contains(err.Error(), "never overwrites") {
		t.Errorf("a second drop of the config: %v, want a refusal to overwrite", err)
	}
	for _, p := range []string{got, dir} {
		if s, err := h.StackFor(p); err != nil || s != p {
			t.Errorf("StackFor(%s) = %q, %v", p, s, err)
		}
	}
}

func TestRecentStacks(t *testing.T) {
	list := addRecent(nil, "/a", 3)
	list = addRecent(list, "/b", 3)
	list = addRecent(list, "/c", 3)
	list = addRecent(list, "/a", 3)
	list = addRecent(list, "/d", 3)
	if want := []string{"/d", "/a", "/c"}; !reflect.DeepEqual(list, want) {
		t.Errorf("recent = %v, want %v", list, want)
	}
	if got := prodPort(8080, nil); got != 80 {
		t.Errorf("prodPort(8080) = %d, want 80 (the default mapping)", got)
	}
	if got := prodPort(9000, map[int]int{80: 9000}); got != 80 {
		t.Errorf("prodPort(9000) with 80:9000 = %d", got)
	}
}

func TestDesktopNeedsADisplay(t *testing.T) {
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }
	if err := haveDisplay("linux", env(nil)); err == nil || !strings.Contains(err.Error(), "berth up") {
		t.Errorf("linux without a display: %v, want an error pointing to berth up", err)
	}
	for _, vars := range []map[string]string{{"DISPLAY": ":0"}, {"WAYLAND_DISPLAY": "wayland-0"}} {
		if err := haveDisplay("linux", env(vars)); err != nil {
			t.Errorf("linux with %v: %v", vars, err)
		}
	}
	if err := haveDisplay("darwin", env(nil)); err != nil {
		t.Errorf("macOS needs no DISPLAY: %v", err)
	}
}

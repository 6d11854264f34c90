package balance

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/berth-dev/berth/fixtures"
	"github.com/berth-dev/berth/fixtures/nginxtest"
)

// TestAgainstNginx replays every scenario through real nginx 1.22.1 (one
// worker, so one pool's state) and through a Pool built from the same
// server list, and wants the same peers tried in the same order. Backends
// are Go servers answering with their name; a dead peer is a backend whose
// listener is closed, so connecting is refused for nginx and for the Pool's
// caller alike. Which peers nginx tried comes from $upstream_addr.
func TestAgainstNginx(t *testing.T) {
	backends := map[string]*backend{}
	hs := &holds{arrived: make(chan string, 8), release: make(chan struct{})}
	var runnable []scenario
	for _, sc := range scenarios {
		if sc.unitOnly != "" {
			continue
		}
		runnable = append(runnable, sc)
		for _, spec := range sc.peers {
			name := strings.Fields(spec)[0]
			if backends[name] == nil {
				backends[name] = startBackend(t, name, hs)
			}
		}
	}
	base := startNginx(t, nginxConf(runnable, backends))
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

	compared, checked := 0, 0
	for i, sc := range runnable {
		t.Run(sc.name, func(t *testing.T) {
			ps, names := parsePeers(t, sc.peers, func(n string) string { return backends[n].addr })
			for k := range ps {
				ps[k].Server = backends[names[k]].server(sc.hostText)
			}
			p, err := New(Config{Method: sc.method, Peers: ps, MethodAfterBackup: sc.methodLast}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if sc.ringEdges != "" {
				for _, k := range edgeKeys(p, names, sc.ringEdges) {
					sc.reqs = append(sc.reqs, request{key: k, dead: sc.ringEdges})
				}
			}
			byAddr := map[string]string{}
			for _, n := range names {
				byAddr[backends[n].addr] = n
			}
			r := &runner{pool: p, names: names, failed: func(n string) bool {
				resp, err := client.Get("http://" + backends[n].addr + "/")
				if err != nil {
					return true
				}
				resp.Body.Close()
				return false
			}}
			var held []chan error
			for j, q := range sc.reqs {
				time.Sleep(q.after)
				for n, b := range backends {
					b.setUp(t, !strings.Contains(" "+q.dead+" ", " "+n+" "))
				}
				target := fmt.Sprintf("%s/s%d/", base, i)
				if q.key != "" {
					target += "?k=" + q.key // $arg_k is the raw text
				}
				var got string
				switch q.op {
				case "hold":
					done := make(chan error, 1)
					held = append(held, done)
					go func() { done <- getHeld(client, target, q.ip) }()
					select {
					case got = <-hs.arrived:
					case <-time.After(5 * time.Second):
						got = "-" // nginx answered without reaching a backend
					}
				case "release":
					hs.releaseAll()
					for _, done := range held {
						if err := <-done; err != nil {
							t.Fatalf("held request: %v", err)
						}
					}
					held = nil
				default:
					got, err = nginxTrace(client, target, q.ip, byAddr)
					if err != nil {
						t.Fatalf("request %d: %v", j+1, err)
					}
				}
				mine := r.do(q)
				if q.op == "release" {
					continue
				}
				compared++
				if mine != got {
					t.Errorf("request %d (key %q ip %q): nginx %s, Pool %s", j+1, q.key, q.ip, got, mine)
				}
				if q.want != "" {
					checked++
					if got != q.want {
						t.Errorf("request %d: nginx %s, the table wants %s", j+1, got, q.want)
					}
				}
			}
			hs.releaseAll()
			for _, done := range held {
				<-done
			}
		})
	}
	t.Logf("%d requests in %d scenarios compared with nginx; %d hand-worked wants confirmed", compared, len(runnable), checked)
}

// edgeKeys finds keys whose ring point and the next ones belong to the
// dead peer for 19, 20 or 21 points: the walk past them ends right at
// nginx's limit of 20 steps, where round robin takes over.
func edgeKeys(p *Pool, names []string, dead string) []string {
	deadServer := -1
	for _, pe := range p.primary.peers {
		if names[pe.index] == dead {
			deadServer = pe.server
		}
	}
	found := map[int]int{}
	var keys []string
	for i := 0; i < 100000 && len(keys) < 6; i++ {
		key := fmt.Sprintf("edge%d", i)
		at, run := p.findPoint(crcString(0, key)), 0
		for p.points[(at+run)%len(p.points)].server == deadServer {
			run++
		}
		if run >= 19 && run <= 21 && found[run] < 2 {
			found[run]++
			keys = append(keys, key)
		}
	}
	return keys
}

// nginxTrace sends one request through nginx and spells what it tried
// as trace does.
func nginxTrace(c *http.Client, target, ip string, byAddr map[string]string) (string, error) {
	req, err := http.NewRequest("GET", target, nil)
	if err != nil {
		return "", err
	}
	if ip != "" {
		req.Header.Set("X-Forwarded-For", ip)
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var steps []string
	lastAddr := false
	for _, a := range strings.Split(resp.Header.Get("X-Up"), ", ") {
		name, ok := byAddr[a]
		if !ok {
			name = "-" // the upstream's name: no live upstreams
		}
		steps = append(steps, name)
		lastAddr = ok
	}
	switch {
	case resp.StatusCode == http.StatusOK:
		if string(body) != steps[len(steps)-1] {
			return "", fmt.Errorf("served by %q but $upstream_addr ends in %s", body, steps[len(steps)-1])
		}
	case resp.StatusCode == http.StatusBadGateway && lastAddr:
		steps = append(steps, "!")
	case resp.StatusCode != http.StatusBadGateway:
		return "", fmt.Errorf("status %d: %s", resp.StatusCode, body)
	}
	return strings.Join(steps, ">"), nil
}

func getHeld(c *http.Client, target, ip string) error {
	if strings.Contains(target, "?") {
		target += "&hold=1"
	} else {
		target += "?hold=1"
	}
	req, _ := http.NewRequest("GET", target, nil)
	if ip != "" {
		req.Header.Set("X-Forwarded-For", ip)
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	return resp.Body.Close()
}

// holds parks requests carrying ?hold= until the test releases them, so
// they count as connections in flight.
type holds struct {
	arrived chan string
	mu      sync.Mutex
	release chan struct{}
}

func (h *holds) wait(name string) {
	h.mu.Lock()
	rel := h.release
	h.mu.Unlock()
	h.arrived <- name
	<-rel
}

func (h *holds) releaseAll() {
	h.mu.Lock()
	close(h.release)
	h.release = make(chan struct{})
	h.mu.Unlock()
}

// backend is a named HTTP server whose listener can be closed to refuse
// connections and reopened on the same port.
type backend struct {
	name string
	addr string
	srv  *http.Server
	ln   net.Listener // nil while refusing
}

func startBackend(t *testing.T, name string, hs *holds) *backend {
	b := &backend{name: name}
	b.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("hold") {
			hs.wait(name)
		}
		io.WriteString(w, name)
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b.addr = ln.Addr().String()
	b.serve(ln)
	t.Cleanup(func() { b.srv.Close() })
	return b
}

// server is the address as the server line writes it.
func (b *backend) server(hostText bool) string {
	if hostText {
		return "localhost:" + b.addr[strings.LastIndexByte(b.addr, ':')+1:]
	}
	return b.addr
}

func (b *backend) serve(ln net.Listener) {
	b.ln = ln
	go b.srv.Serve(ln) // ends when the listener or the server closes
}

func (b *backend) setUp(t *testing.T, up bool) {
	switch {
	case up && b.ln == nil:
		ln, err := net.Listen("tcp", b.addr)
		if err != nil {
			t.Fatalf("reopening %s: %v", b.name, err)
		}
		b.serve(ln)
	case !up && b.ln != nil:
		b.ln.Close()
		b.ln = nil
	}
}

// nginxConf is one upstream block and location per scenario. realip makes
// X-Forwarded-For the client address ip_hash sees.
func nginxConf(scs []scenario, backends map[string]*backend) string {
	var ups, locs strings.Builder
	for i, sc := range scs {
		directive := map[Method]string{
			LeastConn: "least_conn;", IPHash: "ip_hash;",
			Hash: "hash $arg_k;", HashConsistent: "hash $arg_k consistent;",
		}[sc.method]
		fmt.Fprintf(&ups, "    upstream s%d {\n", i)
		if !sc.methodLast && directive != "" {
			fmt.Fprintf(&ups, "        %s\n", directive)
		}
		for _, spec := range sc.peers {
			f := strings.Fields(spec)
			fmt.Fprintf(&ups, "        server %s %s;\n", backends[f[0]].server(sc.hostText), strings.Join(f[1:], " "))
		}
		if sc.methodLast && directive != "" {
			fmt.Fprintf(&ups, "        %s\n", directive)
		}
		ups.WriteString("    }\n")
		fmt.Fprintf(&locs, "        location /s%d/ { proxy_pass http://s%d; }\n", i, i)
	}
	return `worker_processes 1;
master_process on;
daemon off;
error_log stderr error;
pid PREFIX/nginx.pid;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path PREFIX/body;
    proxy_temp_path PREFIX/proxy;
    fastcgi_temp_path PREFIX/fastcgi;
    uwsgi_temp_path PREFIX/uwsgi;
    scgi_temp_path PREFIX/scgi;
` + ups.String() + `    server {
        listen LISTEN;
        set_real_ip_from 127.0.0.1;
        real_ip_header X-Forwarded-For;
        add_header X-Up $upstream_addr always;
` + locs.String() + `    }
}
`
}

// startNginx runs nginx in the foreground on conf (PREFIX and LISTEN
// filled in) until the test ends, and returns its base URL.
func startNginx(t *testing.T, conf string) string {
	nginxBin, err := nginxtest.Binary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	listen := ln.Addr().String()
	ln.Close()
	conf = strings.NewReplacer("PREFIX", dir, "LISTEN", listen).Replace(conf)
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr fixtures.LockedBuffer
	cmd := exec.Command(nginxBin, "-p", dir+"/", "-c", path, "-e", "stderr")
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting nginx: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("nginx stderr:\n%s", stderr.String())
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", listen)
		if err == nil {
			c.Close()
			return "http://" + listen
		}
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("nginx exited: %v\n%s\n%s", err, stderr.String(), conf)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx did not listen on %s: %s", listen, stderr.String())
		}
	}
}

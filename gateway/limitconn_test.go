package gateway

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// limit_conn counts requests in progress per key: one held open by a
// slow upstream fills ann's one place, so her next request is refused
// (and in dry run let through, marked), bob's is not, and once hers
// ends the place is free again.
func TestLimitConnCountsRequestsInProgress(t *testing.T) {
	release := make(chan struct{})
	arrived := make(chan struct{}, 1)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	up := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			arrived <- struct{}{}
			<-release
		}
		fmt.Fprintf(w, "%s %s", r.URL.Path, r.Header.Get("X-Conn"))
	})}
	go up.Serve(ln)
	defer up.Close()
	_, addr := startGateway(t, fmt.Sprintf(`limit_conn_zone $http_x_user zone=per_user:1m;
		server { listen 80;
			location / { limit_conn per_user 1; proxy_pass http://%[1]s; proxy_set_header X-Conn $limit_conn_status; }
			location /dry/ { limit_conn per_user 1; limit_conn_dry_run on; proxy_pass http://%[1]s/; proxy_set_header X-Conn $limit_conn_status; } }`, ln.Addr()))
	get := func(path, user string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
		req.Header.Set("X-User", user)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(b)
	}
	slow := make(chan int)
	go func() {
		status, _ := get("/slow", "ann")
		slow <- status
	}()
	select {
	case <-arrived:
	case <-time.After(30 * time.Second):
		t.Fatal("the slow request never reached the upstream")
	}
	if status, _ := get("/fast", "ann"); status != 503 {
		t.Errorf("ann's second request at once: %d, want 503", status)
	}
	if status, body := get("/fast", "bob"); status != 200 || body != "/fast PASSED" {
		t.Errorf("bob's request: %d %q, want 200 \"/fast PASSED\"", status, body)
	}
	if status, body := get("/dry/fast", "ann"); status != 200 || body != "/fast REJECTED_DRY_RUN" {
		t.Errorf("ann's request in dry run: %d %q, want 200 \"/fast REJECTED_DRY_RUN\"", status, body)
	}
	close(release)
	if status := <-slow; status != 200 {
		t.Errorf("the slow request: %d", status)
	}
	if status, body := get("/fast", "ann"); status != 200 || body != "/fast PASSED" {
		t.Errorf("ann's request after the slow one ended: %d %q, want 200 \"/fast PASSED\"", status, body)
	}
}

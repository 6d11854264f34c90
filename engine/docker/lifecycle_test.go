package docker

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/portcheck"
)

// freePort is a TCP port nothing listens on, as the engine picks one.
func freePort(t *testing.T) int {
	t.Helper()
	port, err := portcheck.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// get fetches a URL, retrying while the service starts listening.
func get(t *testing.T, url string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			return string(body)
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: %v", url, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestBuildPublishAndReach(t *testing.T) {
	t.Parallel()
	cli := needEngine(t)
	p := testProject(t, `
services:
  web:
    build:
      context: ${SVC_CONTEXT}
      target: base
      args:
        GREETING: bonjour
    pull_policy: build
    command: ["-name", "web"]
    volumes:
      - data:/data
      - ${BIND_DIR}:/bind:ro
volumes:
  data: {}
`)
	t.Cleanup(func() { // after the runtime's Close; Berth never removes volumes
		ctx := context.WithoutCancel(t.Context())
		cli.ImageRemove(ctx, p.Name+"-web", image.RemoveOptions{Force: true, PruneChildren: true})
		cli.VolumeRemove(ctx, p.Name+"_data", true)
	})
	r := newTestRuntime(t, p, Options{})
	port := freePort(t)
	var st statuses
	var out buffer
	inst, err := r.Start(t.Context(), spec("web"), map[string]string{"PORT": strconv.Itoa(port)},
		engine.Output{Stdout: &out, Status: st.add})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Stop(sigterm, 5*time.Second)

	st.waitFor(t, "building with steps", func(s engine.Status) bool {
		return s.State == engine.Preparing && strings.HasPrefix(s.Detail, "building web: step ") && s.Progress >= 0
	})
	if all := st.all(); all[len(all)-1] != (engine.Status{}) {
		t.Errorf("the last status before the run is %+v, want the zero Status", all[len(all)-1])
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	if got := get(t, base+"/"); got != "hello from web\n" {
		t.Errorf("GET / = %q", got)
	}
	// The image exposes 8000: the service listens there, told by PORT,
	// and is reached on the host port the engine gave.
	if got := get(t, base+"/env/PORT"); got != "8000" {
		t.Errorf("PORT in the container = %q, want 8000", got)
	}
	if got := get(t, base+"/env/GREETING"); got != "bonjour" {
		t.Errorf("build arg: GREETING = %q, want bonjour", got)
	}
	if got := get(t, base+"/env/STAGE"); got != "" {
		t.Errorf("target base: STAGE = %q, want none (it is set in a later stage)", got)
	}
	if got := get(t, base+"/file/bind/hello.txt"); got != "hello from the host\n" {
		t.Errorf("bind mount: /bind/hello.txt = %q", got)
	}
	vol, err := cli.VolumeInspect(t.Context(), p.Name+"_data")
	if err != nil {
		t.Fatalf("named volume: %v", err)
	}
	if vol.Labels[labelProject] != p.Name || vol.Labels[labelVolume] != "data" || vol.Labels[LabelManaged] != "true" {
		t.Errorf("volume labels %v", vol.Labels)
	}
	info, err := cli.ContainerInspect(t.Context(), inst.(*instance).id)
	if err != nil {
		t.Fatal(err)
	}
	b := info.HostConfig.PortBindings["8000/tcp"]
	if len(b) != 1 || b[0].HostIP != "127.0.0.1" || b[0].HostPort != strconv.Itoa(port) {
		t.Errorf("published as %+v, want 127.0.0.1:%d", b, port)
	}
	if info.HostConfig.RestartPolicy.Name != container.RestartPolicyDisabled {
		t.Errorf("restart policy %q: Berth's supervisor restarts, not the engine", info.HostConfig.RestartPolicy.Name)
	}
	if _, ok := info.NetworkSettings.Networks[p.Name+"_default"]; !ok {
		t.Errorf("not on the project's network: %v", info.NetworkSettings.Networks)
	}
	// Compose's labels and Berth's, visible to docker ps.
	want := p.Name + "-web-1 running"
	for _, f := range []string{
		"label=com.docker.compose.project=" + p.Name,
		"label=com.docker.compose.service=web",
		"label=com.docker.compose.container-number=1",
		"label=" + LabelManaged + "=true",
		"label=" + LabelStack + "=stack-" + p.Name,
	} {
		if got := dockerPS(t, "label=com.docker.compose.project="+p.Name, f); got != want {
			t.Errorf("docker ps --filter %s: %q, want %q", f, got, want)
		}
	}
	if info.Config.Labels[labelConfigHash] == "" {
		t.Error("no config hash label")
	}
}

func TestReattachAndRecreate(t *testing.T) {
	t.Parallel()
	cli := needEngine(t)
	p := testProject(t, `
services:
  api:
    image: `+testImage+`
    command: ["-name", "api"]
`)
	stack := "stack-" + p.Name
	start := func(r *Runtime, env map[string]string) (*instance, *buffer) {
		t.Helper()
		var out buffer
		inst, err := r.Start(t.Context(), spec("api"), env, engine.Output{Stdout: &out})
		if err != nil {
			t.Fatal(err)
		}
		return inst.(*instance), &out
	}
	// A Berth that dies leaves its container running.
	r1 := newTestRuntime(t, p, Options{Stack: stack})
	first, _ := start(r1, map[string]string{"MODE": "a"})
	r1.detach()

	// The next one, with the same config, takes it over, showing its
	// earlier output.
	r2 := newTestRuntime(t, p, Options{Stack: stack})
	again, out := start(r2, map[string]string{"MODE": "a"})
	if again.id != first.id {
		t.Errorf("same config: got container %.12s, want the running %.12s reattached", again.id, first.id)
	}
	out.waitText(t, "api: out started")
	r2.detach()

	// Another, with a changed config, replaces it.
	r3 := newTestRuntime(t, p, Options{Stack: stack})
	other, _ := start(r3, map[string]string{"MODE": "b"})
	if other.id == first.id {
		t.Error("changed config: the old container was reattached")
	}
	if _, err := cli.ContainerInspect(t.Context(), first.id); err == nil {
		t.Error("changed config: the old container still exists")
	}
	if got := dockerPS(t, "label="+LabelStack+"="+stack); got != p.Name+"-api-1 running" {
		t.Errorf("containers of the stack: %q", got)
	}
	if err := other.Stop(sigterm, 5*time.Second); err != nil {
		t.Fatal(err)
	}
}

func TestForeignContainersAndOrphans(t *testing.T) {
	t.Parallel()
	cli := needEngine(t)
	p := testProject(t, `
services:
  web:
    image: `+testImage+`
    command: ["-name", "web"]
  old:
    image: `+testImage+`
    command: ["-name", "old"]
`)
	stack := "stack-" + p.Name
	// A docker compose project of the same name: Compose's labels, not
	// Berth's, on a service Berth runs and one the stack does not have.
	foreign := func(service string) string {
		t.Helper()
		resp, err := cli.ContainerCreate(t.Context(), &container.Config{
			Image: testImage, Cmd: []string{"-name", "foreign"},
			Labels: map[string]string{labelProject: p.Name, labelService: service, labelNumber: "1", labelOneoff: "False"},
		}, &container.HostConfig{NetworkMode: "none"}, nil, nil, p.Name+"-"+service+"-1")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			cli.ContainerRemove(context.WithoutCancel(t.Context()), resp.ID, container.RemoveOptions{Force: true})
		})
		if err := cli.ContainerStart(t.Context(), resp.ID, container.StartOptions{}); err != nil {
			t.Fatal(err)
		}
		return resp.ID
	}
	fWeb, fGone := foreign("web"), foreign("gone")

	// Berth ran web and old; then died.
	r1 := newTestRuntime(t, p, Options{Stack: stack})
	for _, name := range []string{"web", "old"} {
		if _, err := r1.Start(t.Context(), spec(name), nil, engine.Output{}); err != nil {
			t.Fatal(err)
		}
	}
	if got := dockerPS(t, "label=com.docker.compose.project="+p.Name, "label=com.docker.compose.service=web"); !strings.Contains(got, p.Name+"-web-2 running") {
		t.Errorf("Berth's web should have taken number 2 beside the foreign web-1; docker ps:\n%s", got)
	}
	r1.detach()

	// The stack loses "old": its container is an orphan, removed when
	// the next Berth meets the engine.
	delete(p.Services, "old")
	r2 := newTestRuntime(t, p, Options{Stack: stack})
	deadline := time.Now().Add(10 * time.Second)
	for dockerPS(t, "label="+LabelStack+"="+stack, "label=com.docker.compose.service=old") != "" {
		if time.Now().After(deadline) {
			t.Fatal("the orphan of old was not removed")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := r2.Close(); err != nil {
		t.Fatal(err)
	}
	// Nothing without Berth's labels was touched, not even the foreign
	// container of a service the stack does not have.
	for _, id := range []string{fWeb, fGone} {
		info, err := cli.ContainerInspect(t.Context(), id)
		if err != nil || !info.State.Running {
			t.Errorf("foreign container %.12s: %v, running %v", id, err, err == nil && info.State.Running)
		}
	}
}

// A container an earlier Berth left publishes the service's port: the
// port pre-flight would call it taken, but the runtime says it keeps
// that port itself (engine.PortKeeper), and Start reattaches it.
func TestKeepsTheLeftoverContainersPort(t *testing.T) {
	t.Parallel()
	needEngine(t)
	p := testProject(t, `
services:
  api:
    image: `+testImage+`
    command: ["-name", "api"]
`)
	stack := "stack-" + p.Name
	port := freePort(t)
	env := map[string]string{"PORT": fmt.Sprint(port)}
	r1 := newTestRuntime(t, p, Options{Stack: stack})
	first, err := r1.Start(t.Context(), spec("api"), env, engine.Output{})
	if err != nil {
		t.Fatal(err)
	}
	r1.detach()

	r2 := newTestRuntime(t, p, Options{Stack: stack})
	if err := portcheck.CheckPort(port); err == nil {
		t.Fatalf("port %d is free with the container running", port)
	}
	if !r2.Keeps("api", port) {
		t.Errorf("Keeps(api, %d) = false for the stack's own leftover", port)
	}
	if r2.Keeps("web", port) {
		t.Error("Keeps counts another service's container")
	}
	again, err := r2.Start(t.Context(), spec("api"), env, engine.Output{})
	if err != nil {
		t.Fatal(err)
	}
	if again.(*instance).id != first.(*instance).id {
		t.Error("the leftover was not reattached")
	}
	if err := again.Stop(sigterm, 5*time.Second); err != nil {
		t.Fatal(err)
	}
}

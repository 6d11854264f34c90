package docker

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/client"
	"go.uber.org/goleak"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/fixtures"
)

// testImage is fixtures/containers/svc built FROM scratch, made once for
// the tests that only run it.
const testImage = "berth-test/svc:latest"

var (
	engineOnce sync.Once
	engineErr  error
	engineCli  *client.Client
	engineEP   endpoint
	svcContext string // a build context: the svc binary and its Dockerfiles
)

func TestMain(m *testing.M) {
	code := m.Run()
	if engineCli != nil {
		engineCli.Close()
	}
	if svcContext != "" {
		os.RemoveAll(svcContext)
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goroutines leaked:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// needEngine fails the test when no Docker engine answers: the tests run
// against a real one, which `make test` installs and starts. The first
// call builds the svc binary and the test image.
func needEngine(t *testing.T) *client.Client {
	t.Helper()
	engineOnce.Do(func() { engineErr = setUpEngine() })
	if engineErr != nil {
		t.Fatalf("these tests need a Docker engine, and none answers: %v\n"+
			"`make test` installs docker.io and starts dockerd when none runs; "+
			"or start one yourself: dockerd --storage-driver=vfs &", engineErr)
	}
	return engineCli
}

func setUpEngine() error {
	home, _ := os.UserHomeDir()
	ep, err := resolveEndpoint(os.Getenv, home)
	if err != nil {
		return err
	}
	cli, err := newClient(ep)
	if err != nil {
		return err
	}
	engineCli, engineEP = cli, ep
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	_, err = cli.Ping(ctx)
	cancel()
	if err != nil {
		return err
	}
	svcContext, err = makeSvcContext()
	if err != nil {
		return err
	}
	ctx, cancel = context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return buildTestImage(ctx, cli, svcContext, "Dockerfile", testImage)
}

// makeSvcContext builds fixtures/containers/svc static into a folder
// with its Dockerfiles: the context of every test build.
func makeSvcContext() (string, error) {
	dir, err := os.MkdirTemp("", "berth-svc")
	if err != nil {
		return "", err
	}
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(dir, "svc"), "github.com/berth-dev/berth/fixtures/containers/svc")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building svc: %v\n%s", err, out)
	}
	src := filepath.Join("..", "..", "fixtures", "containers", "svc")
	for _, f := range []string{"Dockerfile", "Dockerfile.fail"} {
		data, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// buildTestImage builds dockerfile in dir as tag through the build API.
func buildTestImage(ctx context.Context, cli *client.Client, dir, dockerfile, tag string) error {
	bc, err := newBuildContext(dir, dockerfile, "")
	if err != nil {
		return err
	}
	pr, pw := io.Pipe()
	packed := make(chan struct{})
	go func() {
		defer close(packed)
		pw.CloseWithError(bc.writeTar(pw))
	}()
	defer func() {
		pr.Close()
		<-packed
	}()
	resp, err := cli.ImageBuild(ctx, pr, build.ImageBuildOptions{Tags: []string{tag}, Dockerfile: bc.dockerfile, Remove: true, Version: build.BuilderV1})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return readMessages(resp.Body, func(message) {})
}

// testProject loads a Compose file as the app does, under a project name
// of its own for the test.
func testProject(t *testing.T, yaml string) *types.Project {
	t.Helper()
	name := "bt-" + strings.ToLower(strings.NewReplacer("/", "-", "_", "-", " ", "-").Replace(t.Name()))
	if len(name) > 40 {
		name = name[:40]
	}
	return loadProject(t, strings.TrimRight(name, "-"), yaml)
}

// loadProject loads a Compose file as project name. ${SVC_CONTEXT} in it
// is the svc build context, ${BIND_DIR} a folder holding hello.txt.
func loadProject(t *testing.T, name, yaml string) *types.Project {
	t.Helper()
	dir := t.TempDir()
	bind := filepath.Join(dir, "bind")
	if err := os.Mkdir(bind, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bind, "hello.txt"), []byte("hello from the host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := loader.LoadWithContext(t.Context(), types.ConfigDetails{
		WorkingDir:  dir,
		ConfigFiles: []types.ConfigFile{{Filename: filepath.Join(dir, "compose.yaml"), Content: []byte(yaml)}},
		Environment: map[string]string{"SVC_CONTEXT": svcContext, "BIND_DIR": bind},
	}, func(o *loader.Options) { o.SetProjectName(name, true) })
	if err != nil {
		t.Fatalf("loading the test project: %v", err)
	}
	return p
}

// newTestRuntime makes a runtime for project, closed when the test ends,
// after which nothing of the project may be left.
func newTestRuntime(t *testing.T, p *types.Project, opts Options) *Runtime {
	t.Helper()
	opts.Project = p
	if opts.Stack == "" {
		opts.Stack = "stack-" + p.Name
	}
	if opts.Retry == 0 {
		opts.Retry = 100 * time.Millisecond
	}
	r, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if opts.Host == "" {
			if left := dockerPS(t, "label="+LabelStack+"="+opts.Stack); left != "" {
				t.Errorf("containers left after Close:\n%s", left)
			}
		}
	})
	return r
}

// spec is the engine's Spec of a container service.
func spec(name string) engine.Spec {
	return engine.Spec{Name: name, Runtime: engine.Container, StopGrace: 5 * time.Second}
}

// dockerPS lists containers with the docker command line, as a user
// would: "name state" lines for the filters.
func dockerPS(t *testing.T, filters ...string) string {
	t.Helper()
	args := []string{"ps", "-a", "--format", "{{.Names}} {{.State}}"}
	for _, f := range filters {
		args = append(args, "--filter", f)
	}
	out, err := exec.Command("docker", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// buffer is a writer safe for the runtime's goroutines and the test's.
type buffer struct{ fixtures.LockedBuffer }

// waitText waits until the buffer holds text.
func (b *buffer) waitText(t *testing.T, text string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(b.String(), text) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in output:\n%s", text, b.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// statuses records what a runtime tells through Output.Status.
type statuses struct {
	mu   sync.Mutex
	list []engine.Status
}

func (s *statuses) add(st engine.Status) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.list = append(s.list, st)
}

func (s *statuses) all() []engine.Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]engine.Status(nil), s.list...)
}

// waitFor waits until a status satisfies ok.
func (s *statuses) waitFor(t *testing.T, what string, ok func(engine.Status) bool) engine.Status {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		for _, st := range s.all() {
			if ok(st) {
				return st
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no status %s; got %+v", what, s.all())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

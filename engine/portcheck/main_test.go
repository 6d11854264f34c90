package portcheck_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

// The test binary also plays the process holding an address, chosen by
// environment: PORTCHECK_TEST_LISTEN is "tcp" (a loopback port it picks)
// or "unix:<path>".
func TestMain(m *testing.M) {
	if spec := os.Getenv("PORTCHECK_TEST_LISTEN"); spec != "" {
		os.Exit(listenMain(spec))
	}
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// listenMain listens as spec says, prints the address and holds it until
// stdin closes.
func listenMain(spec string) int {
	network, addr := "tcp", "127.0.0.1:0"
	if path, ok := strings.CutPrefix(spec, "unix:"); ok {
		network, addr = "unix", path
	}
	l, err := net.Listen(network, addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		return 1
	}
	defer l.Close()
	fmt.Println(l.Addr())
	io.Copy(io.Discard, os.Stdin)
	return 0
}

// holder starts the test binary holding an address until the test ends,
// and returns the address it listens on and its pid.
func holder(t *testing.T, spec string) (addr string, pid int) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), "PORTCHECK_TEST_LISTEN="+spec)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("holder said %q: %v", line, err)
	}
	return strings.TrimSpace(line), cmd.Process.Pid
}

// skipWithoutProc skips checks of the holder's name where the system does
// not say (outside Linux, see holder_other.go). On Linux a missing /proc
// fails them.
func skipWithoutProc(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("holders are named from /proc, on Linux only")
	}
}

package proc_test

import (
	"testing"

	"github.com/berth-dev/berth/engine/proc"
)

func TestExpandWord(t *testing.T) {
	env := map[string]string{"PORT": "8080", "BERTH_SOCKET": "/run/b/s.sock", "HOME": "/root"}
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{"$PORT", "8080"},
		{"${PORT}", "8080"},
		{"--port=$PORT", "--port=8080"},
		{"127.0.0.1:${PORT}/x", "127.0.0.1:8080/x"},
		{"$BERTH_SOCKET", "/run/b/s.sock"},
		{"unix:${BERTH_SOCKET}", "unix:/run/b/s.sock"},
		{"$PORT$PORT", "80808080"},
		{"$PORTS", "$PORTS"},         // a longer name is not PORT
		{"$PORT_2", "$PORT_2"},       // nor is PORT_2
		{"$PORT.x", "8080.x"},        // a dot ends the name
		{"$HOME", "$HOME"},           // only PORT and BERTH_SOCKET expand
		{"${HOME}", "${HOME}"},       // even when env has the name
		{"${PORT:-1}", "${PORT:-1}"}, // no shell operators
		{"${PORT", "${PORT"},         // unterminated
		{"$$", "$"},
		{"$$PORT", "$PORT"}, // $$ escapes
		{"$$$PORT", "$8080"},
		{"$$$$", "$$"},
		{"$", "$"},
		{"a$", "a$"},
		{"$1", "$1"},
		{"$-", "$-"},
		{"${}", "${}"},
		{"cost: 5$", "cost: 5$"},
		{"ünïcode-$PORT-ü", "ünïcode-8080-ü"},
	}
	for _, tt := range tests {
		if got := proc.ExpandWord(tt.in, env); got != tt.want {
			t.Errorf("ExpandWord(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestExpandWordMissing(t *testing.T) {
	// A name Berth did not set expands to nothing, as in a shell.
	tests := []struct{ in, want string }{
		{"$PORT", ""},
		{"x${BERTH_SOCKET}y", "xy"},
		{"$HOME", "$HOME"},
	}
	for _, tt := range tests {
		if got := proc.ExpandWord(tt.in, nil); got != tt.want {
			t.Errorf("ExpandWord(%q, nil) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

package portcheck_test

import (
	"errors"
	"testing"

	"github.com/berth-dev/berth/engine/portcheck"
)

func TestInUseErrorMessage(t *testing.T) {
	for _, tc := range []struct {
		err  portcheck.InUseError
		want string
	}{
		{portcheck.InUseError{Port: 8000, Holder: "nginx (pid 12)"}, "port 8000 is taken by nginx (pid 12)"},
		{portcheck.InUseError{Port: 8000}, "port 8000 is taken"},
		{portcheck.InUseError{Socket: "/run/berth/api.sock", Holder: "api (pid 7)"}, "socket /run/berth/api.sock is taken by api (pid 7)"},
		{portcheck.InUseError{Socket: "/run/berth/api.sock"}, "socket /run/berth/api.sock is taken"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.err, got, tc.want)
		}
		if !errors.Is(&tc.err, portcheck.ErrInUse) {
			t.Errorf("%+v: not ErrInUse", tc.err)
		}
	}
}

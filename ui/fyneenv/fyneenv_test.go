package fyneenv

import "testing"

func TestIsC(t *testing.T) {
	for locale, want := range map[string]bool{
		"C": true, "C.UTF-8": true, "POSIX": true, "C.utf8": true,
		"": false, "en_US.UTF-8": false, "de_DE@euro": false, "Catalan": false,
	} {
		if got := isC(locale); got != want {
			t.Errorf("isC(%q) = %v, want %v", locale, got, want)
		}
	}
}

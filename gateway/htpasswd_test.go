package gateway

import "testing"

// Entries made by `openssl passwd`, Python's crypt and htpasswd's
// formats, for the password "hunter2".
func TestPasswordMatches(t *testing.T) {
	entries := []string{
		"$1$abcdefgh$vhxKZ/s1ygZHyCEDPyqtQ/",
		"$1$12345678$yraPZIU17Gfrlf.fMmpTM0",
		"$apr1$abcdefgh$ckT15POyCRlen.h6XtGAZ1",
		"$apr1$xy$i.blapZd9cbvxFPTYTROc1",
		"$5$saltstring$9JBjAeLRHX/Lm/1Njo98nbLiUsNRFEuARumLKkxJMm7",
		"$5$rounds=1000$saltstring$IhyNdYfjHLVQiIuCBCHcb1nX2F3aMUjFToGS7TERNj6",
		"$6$saltstring$q2.778Y7vt0Ij2OIl01VlxEE6SEh8ZCtgFbyJX8fYkl5S7gx32QO24FVg.rs4DkoAs9t6R19x4z8g69teXFxA0",
		"$6$rounds=1234$saltstringsaltst$pVocEWvaCQYu54ylSa6Fc0DjAuIHlmiayHuIEmCf8QEvCnAtiwlYk0W5Alks7.8DQlcqUwE4i6ETzROlYpkWq.",
		"$2a$05$ymk2kyw4XfyQXQ3XWVMR0uQI03FvUDnSNeH5oBeupF1U2VtTpl0BW",
		"$2y$05$ymk2kyw4XfyQXQ3XWVMR0uQI03FvUDnSNeH5oBeupF1U2VtTpl0BW",
		"{SHA}87u9ZqY9S/F0eUBXjsPQEDUw4h0=",
		"{PLAIN}hunter2",
	}
	for _, e := range entries {
		if ok, known := passwordMatches(e, "hunter2"); !ok || !known {
			t.Errorf("%s: matches %v (known %v), want true", e, ok, known)
		}
		if ok, _ := passwordMatches(e, "hunter3"); ok {
			t.Errorf("%s: a wrong password matches", e)
		}
	}
	long := "a very long password that is longer than sixty-four bytes in total, yes it is"
	if ok, _ := passwordMatches("$6$abc$D2gKxjdVxJW6LqMpSzEdqwSVY6gp17ri45DYRQmd2xKAbxwuYBs/CRY1Z15UlKx4v1.z86ESnYkvEAMx3D22M0", long); !ok {
		t.Error("SHA-512 crypt of a password longer than the digest")
	}
	if _, known := passwordMatches("$y$j9T$salt$hash", "hunter2"); known {
		t.Error("yescrypt counted as known")
	}
}

package app

import "testing"

func TestMaskSecret(t *testing.T) {
	for _, c := range []struct{ name, value, want string }{
		{"DATABASE_PASSWORD", "hunter2", "••••••"},
		{"POSTGRES_PASSWD", "x", "••••••"},
		{"API_KEY", "abc", "••••••"},
		{"STRIPE_SECRET", "sk_live", "••••••"},
		{"GITHUB_TOKEN", "ghp_x", "••••••"},
		{"AWS_ACCESS_KEY_ID", "AKIA", "••••••"},
		{"DJANGO_SETTINGS_MODULE", "service1.settings", "service1.settings"},
		{"PORT", "8000", "8000"},
		{"DATABASE_URL", "postgres://app:s3cret@db:5432/app", "postgres://app:••••••@db:5432/app"},
		{"UPSTREAM", "http://web:8000/api", "http://web:8000/api"},
		{"EMPTY_PASSWORD", "", ""},
	} {
		if got := maskSecret(c.name, c.value); got != c.want {
			t.Errorf("maskSecret(%q, %q) = %q, want %q", c.name, c.value, got, c.want)
		}
	}
}

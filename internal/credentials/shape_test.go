package credentials

import "testing"

// Made-up credentials of the real formats (random, never issued).
const (
	fakeGitHub = "ghp_NqVwYS81VP7Hb1DX8pPd5khxE3pyIgKpaUnA"
	fakeRandom = "zcpVMw0qDPAjd6OcZFv1niUK"
)

func TestSecretName(t *testing.T) {
	for _, n := range []string{"GITHUB_TOKEN", "token", "DB_PASSWORD", "passwd", "SESSION_SECRET", "apiKey", "api-key", "X_API_KEY", "SSH_PRIVATE_KEY", "AWS_SECRET_ACCESS_KEY", "NPM_AUTH_TOKEN", "org.example.token"} {
		if !IsCredentialName(n) {
			t.Errorf("IsCredentialName(%q) = false", n)
		}
	}
	for _, n := range []string{"KEY_NAME", "AWS_ACCESS_KEY_ID", "PASSWORD_FILE", "TOKEN_URL", "VERSION", "KEY", "PUBLIC_KEY", "MONKEY", "BUILD_ID", "SECRET_PATH"} {
		if IsCredentialName(n) {
			t.Errorf("IsCredentialName(%q) = true", n)
		}
	}
}

func TestRandomLooking(t *testing.T) {
	for _, v := range []string{fakeRandom, "8iO5YAgkBxjd2AsjD7N2", "3f9a1c77be04d2e58a6c"} {
		if !RandomLooking(v) {
			t.Errorf("RandomLooking(%q) = false (entropy %.2f)", v, Entropy(v))
		}
	}
	for _, v := range []string{"changeme", "correct-horse-battery-staple", "my_super_secret_password", "${GITHUB_TOKEN}", "/run/secrets/password",
		"sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b", "https://example.com/a/b/c", "1.22.3-alpine3.20", "aaaaaaaaaaaaaaaaaaaaaaaa", "AAAABBBBCCCCDDDD1111", "two words here and there"} {
		if RandomLooking(v) {
			t.Errorf("RandomLooking(%q) = true (entropy %.2f)", v, Entropy(v))
		}
	}
}

func TestTokenPlaceholdersAreNotTokens(t *testing.T) {
	for _, v := range []string{"ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "AKIAIOSFODNN7EXAMPLE", "sk-learn-some-very-long-package-name", "task-runner-configuration-thing", "xoxb-xxxxxxxxxx", "ghp_short"} {
		if hits := Tokens(v); len(hits) > 0 {
			t.Errorf("Tokens(%q) = %v", v, hits)
		}
	}
}

func TestMask(t *testing.T) {
	if got := Mask("ghp_abc"); got != "ghp_…" {
		t.Errorf("Mask = %q", got)
	}
	if got := Mask("ab"); got != "ab…" {
		t.Errorf("Mask = %q", got)
	}
}

func TestShape(t *testing.T) {
	for _, tc := range []struct{ name, value, what, masked string }{
		{"", fakeGitHub, "a GitHub token", "ghp_…"},
		{"NPM_TOKEN", fakeRandom, "a high-entropy value under a credential name", "zcpV…"},
		{"", fakeRandom, "", ""},
		{"VERSION", fakeRandom, "", ""},
		{"NPM_TOKEN", "changeme", "", ""},
	} {
		if what, masked := Shape(tc.name, tc.value); what != tc.what || masked != tc.masked {
			t.Errorf("Shape(%q, %q) = %q, %q; want %q, %q", tc.name, tc.value, what, masked, tc.what, tc.masked)
		}
	}
}

package verify

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
)

// Secrets in the formats users mount. Every credential in them is unique,
// so a hit says which one was found.
const (
	netrcFile = `# deploy credentials
machine a.example.com
  login deploy-user-account
  password pw-Zr8Kq2LxV9mT4nB7
machine b.example.com login ci password "pw with \"quotes\" 7Hj3" account acct-Tk7Lm2Vb9
machine github.com login ghp_Test0Token0For0Verify0Fields01 password x-oauth-basic
default login anonymous password me@example.com
`
	npmrcFile = `registry=https://registry.example.com/
//registry.example.com/:_authToken=npm_Test0Token0For0Verify0Fields02
//other.example.com/:_auth=` + "ZGVwbG95OnB3LU5wbUF1dGgtOVF6WDJ3" + ` 
//third.example.com/:_password=` + "cHctTnBtUGFzc3dvcmQtNFRyOA==" + `
//third.example.com/:username=deploy
email=me@example.com
always-auth=true
//fourth.example.com/:_authToken=${NPM_TOKEN}
`
	pypircFile = `[distutils]
index-servers =
    pypi

[pypi]
username = __token__
password = pypi-Test0Token0For0Verify0Fields03
`
	dockerConfig = `{
  "auths": {
    "registry.example.com": {"auth": "ZGVwbG95OnB3LURvY2tlckF1dGgtOFBxTTE="},
    "ghcr.io": {"identitytoken": "it-Qw3Er5Ty7Ui9Op1As2"},
    "quay.io": {"username": "robot", "password": "pw-QuayRobot-5Lk2"}
  },
  "credsStore": "desktop"
}`
	gitCredentialsFile = "https://deploy:pw%2FGit%40Cred-6Yh1@github.com\nhttps://oauth2:glpat-Test0Token0For0Verify04@gitlab.com\n"
	awsFile            = `[default]
aws_access_key_id = AKIATESTKEYIDFORVERIFY
aws_secret_access_key = sk/Test0AwsSecret0For0Verify0Fields0005
[profile ci]
aws_session_token = FwoGZXIvYXdzEJr-Test0Session0Token0006
region = eu-west-1
`
	dotenvFile = `# app settings
NODE_ENV=production-environment
export API_TOKEN=tok-Ab1Cd2Ef3Gh4Ij5Kl6
DB_PASSWORD='pw Mn7Op8Qr9St0'
DATABASE_URL="postgres://app:pw-Uv1Wx2Yz3Ab4@db:5432/app"
PG_PASSWORD=postgres
SHORT_SECRET=abc12
SIGNING_KEY_PATH=/run/keys/signing-key-file.pem
`
	kubeconfigFile = `apiVersion: v1
users:
- name: ci
  user:
    token: kube-Test0Token0For0Verify07
`
)

// fieldValues are the credentials above, as a step would extract them.
var fieldValues = map[string]string{
	"netrc password":                    "pw-Zr8Kq2LxV9mT4nB7",
	"netrc password (quoted)":           `pw with "quotes" 7Hj3`,
	"netrc account":                     "acct-Tk7Lm2Vb9",
	"netrc login":                       "ghp_Test0Token0For0Verify0Fields01",
	"npmrc _authToken":                  "npm_Test0Token0For0Verify0Fields02",
	"npmrc _auth password":              "pw-NpmAuth-9QzX2w",
	"npmrc _auth, decoded":              "deploy:pw-NpmAuth-9QzX2w",
	"npmrc _password, decoded":          "pw-NpmPassword-4Tr8",
	"pypirc password":                   "pypi-Test0Token0For0Verify0Fields03",
	"docker config auths password":      "pw-DockerAuth-8PqM1",
	"docker config auths identitytoken": "it-Qw3Er5Ty7Ui9Op1As2",
	"docker config auths password 2":    "pw-QuayRobot-5Lk2",
	"git-credentials password":          "pw/Git@Cred-6Yh1",
	"git-credentials password 2":        "glpat-Test0Token0For0Verify04",
	"aws_secret_access_key":             "sk/Test0AwsSecret0For0Verify0Fields0005",
	"aws_session_token":                 "FwoGZXIvYXdzEJr-Test0Session0Token0006",
	".env API_TOKEN":                    "tok-Ab1Cd2Ef3Gh4Ij5Kl6",
	".env DB_PASSWORD":                  "pw Mn7Op8Qr9St0",
	".env DATABASE_URL password":        "pw-Uv1Wx2Yz3Ab4",
	"setting token":                     "kube-Test0Token0For0Verify07",
}

// scanLeak scans one layer holding /leak with the given secrets.
func scanLeak(t *testing.T, leak []byte, secrets ...[]byte) *Report {
	t.Helper()
	dir := t.TempDir()
	for i, s := range secrets {
		writeSecret(t, dir, i, string(s))
	}
	writeFile(t, filepath.Join(dir, "l", "0", "leak"), string(leak))
	r, err := Scan(Options{SecretsDir: filepath.Join(dir, "s"), Secrets: len(secrets), LayersDir: filepath.Join(dir, "l"), Layers: 1})
	if err != nil {
		t.Fatal(err)
	}
	noPatternIn(t, r, secrets...)
	return r
}

// noPatternIn fails if the report holds any pattern of the secrets.
func noPatternIn(t *testing.T, r *Report, secrets ...[]byte) {
	t.Helper()
	js, _ := json.Marshal(r)
	for i, s := range secrets {
		for _, p := range SecretPatterns(i, s).Patterns {
			if bytes.Contains(js, p.b) {
				t.Errorf("the report holds the %s pattern of %q: %s", p.Encoding, p.Part, js)
			}
		}
	}
}

func hitList(r *Report) []string {
	var out []string
	for _, h := range r.Hits {
		out = append(out, h.Described())
	}
	return out
}

func TestFieldsAreFoundAndNamed(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	cases := []struct {
		secret, leak, want string
	}{
		{netrcFile, fieldValues["netrc password"] + "\n", "its netrc password, raw"},
		{netrcFile, "Authorization: Basic " + b64("ci:"+fieldValues["netrc password (quoted)"]), "its netrc password, base64"},
		{netrcFile, hex.EncodeToString([]byte(fieldValues["netrc account"])), "its netrc account, hex"},
		{netrcFile, "token=" + fieldValues["netrc login"], "its netrc login, raw"},
		{npmrcFile, fieldValues["npmrc _authToken"], "its npmrc _authToken, raw"},
		{npmrcFile, b64(fieldValues["npmrc _authToken"]), "its npmrc _authToken, base64"},
		{npmrcFile, fieldValues["npmrc _auth password"], "its npmrc _auth password, raw"},
		{npmrcFile, "u=" + fieldValues["npmrc _auth, decoded"], "its npmrc _auth, decoded, raw"},
		{npmrcFile, url.QueryEscape(fieldValues["npmrc _password, decoded"]), "its npmrc _password, decoded, raw"},
		{pypircFile, fieldValues["pypirc password"], "its pypirc password, raw"},
		{pypircFile, hex.EncodeToString([]byte(fieldValues["pypirc password"])), "its pypirc password, hex"},
		{dockerConfig, fieldValues["docker config auths password"] + "\n", "its docker config auths password, raw"},
		{dockerConfig, b64(fieldValues["docker config auths identitytoken"]), "its docker config auths identitytoken, base64"},
		{dockerConfig, fieldValues["docker config auths password 2"], "its docker config auths password, raw"},
		{gitCredentialsFile, fieldValues["git-credentials password"], "its git-credentials password, raw"},
		{gitCredentialsFile, b64(fieldValues["git-credentials password 2"]), "its git-credentials password, base64"},
		{awsFile, fieldValues["aws_secret_access_key"], "its aws_secret_access_key, raw"},
		{awsFile, b64("x" + fieldValues["aws_session_token"]), "its aws_session_token, base64"},
		{dotenvFile, fieldValues[".env API_TOKEN"], "its .env API_TOKEN, raw"},
		{dotenvFile, hex.EncodeToString([]byte(fieldValues[".env DB_PASSWORD"])), "its .env DB_PASSWORD, hex"},
		{dotenvFile, "PGPASSWORD=" + fieldValues[".env DATABASE_URL password"], "its .env DATABASE_URL password, raw"},
		{kubeconfigFile, fieldValues["setting token"], "its setting token, raw"},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			r := scanLeak(t, []byte(tc.leak), []byte(tc.secret))
			if got := hitList(r); len(got) != 1 || got[0] != tc.want {
				t.Errorf("hits %q, want [%q]", got, tc.want)
			}
			if r.Secrets[0].Fields == 0 {
				t.Errorf("status %+v counts no fields", r.Secrets[0])
			}
		})
	}
}

// What is not a credential is not looked for: identifiers, settings,
// placeholders, references; and fields too short or too common to look
// for without false matches are named in the report instead.
func TestFieldsNotLookedFor(t *testing.T) {
	cases := []struct{ secret, leak string }{
		{netrcFile, "login deploy-user-account at a.example.com"},
		{netrcFile, "git credential x-oauth-basic and me@example.com"},
		{npmrcFile, "registry=https://registry.example.com/ email=me@example.com ${NPM_TOKEN} always-auth=true"},
		{pypircFile, "index-servers = pypi; username = __token__"},
		{dockerConfig, `"credsStore": "desktop" robot registry.example.com`},
		{awsFile, "AKIATESTKEYIDFORVERIFY in eu-west-1"},
		{dotenvFile, "NODE_ENV=production-environment postgres abc12 /run/keys/signing-key-file.pem"},
	}
	for _, tc := range cases {
		r := scanLeak(t, []byte(tc.leak), []byte(tc.secret))
		if len(r.Hits) != 0 {
			t.Errorf("%q in a %q secret: hits %q", tc.leak, strings.SplitN(tc.secret, "\n", 2)[0], hitList(r))
		}
	}
	r := scanLeak(t, nil, []byte(dotenvFile))
	if got := strings.Join(r.Secrets[0].ShortFields, ","); got != ".env PG_PASSWORD,.env SHORT_SECRET" {
		t.Errorf("short fields %q", got)
	}
	d := SecretPatterns(0, []byte("machine h login u password abc12\n"))
	for _, p := range d.Patterns {
		if p.Part != "" {
			t.Errorf("a 5-byte password gave the pattern %s of %s", p.Encoding, p.Part)
		}
	}
	if d.Fields != 0 || len(d.ShortFields) != 1 || d.ShortFields[0] != "netrc password" {
		t.Errorf("%d fields, short %q", d.Fields, d.ShortFields)
	}
}

// A copy of the whole file names the secret, not each of its fields.
func TestWholeCopyIsOneHit(t *testing.T) {
	for _, leak := range []string{"x\n" + netrcFile, base64.StdEncoding.EncodeToString([]byte(netrcFile))} {
		r := scanLeak(t, []byte(leak), []byte(netrcFile))
		for _, h := range r.Hits {
			if h.Part != "" {
				t.Errorf("hits %q", hitList(r))
				break
			}
		}
		if len(r.Hits) == 0 {
			t.Error("no hit")
		}
	}
}

// Every pattern of every field is in the matcher the scan uses: the
// secrets and their fields are found in one pass, whatever their number.
func TestFieldsOfManySecrets(t *testing.T) {
	secrets := [][]byte{[]byte(netrcFile), []byte(dockerConfig), []byte(dotenvFile), []byte("plain-token-value-1234")}
	leak := fieldValues["docker config auths password"] + " " + fieldValues[".env API_TOKEN"] + " plain-token-value-1234"
	r := scanLeak(t, []byte(leak), secrets...)
	want := "1 its docker config auths password, raw|2 its .env API_TOKEN, raw|3 raw"
	var got []string
	for _, h := range r.Hits {
		got = append(got, fmt.Sprint(h.Secret, " ", h.Described()))
	}
	if strings.Join(got, "|") != want {
		t.Errorf("hits %q, want %q", got, want)
	}
}

// A field named after a key that holds a secret's value does not put
// the value in the report.
func TestFieldNamesAreWithheld(t *testing.T) {
	// The key is another secret's value.
	other := []byte("MY_SECRET_TOKEN")
	env := []byte("MY_SECRET_TOKEN=tok-Zy9Xw8Vu7Ts6\n")
	r := scanLeak(t, []byte("tok-Zy9Xw8Vu7Ts6"), other, env)
	if got := hitList(r); len(got) != 1 || got[0] != "its "+withheldName+", raw" {
		t.Errorf("hits %q", got)
	}
	// The key is the field's own value.
	self := []byte("TOKEN_ABCDEFGHIJ=TOKEN_ABCDEFGHIJ\n")
	for _, p := range SecretPatterns(0, self).Patterns {
		if p.Part != "" && p.Part != withheldName {
			t.Errorf("field named %q", p.Part)
		}
	}
}

func TestPrivateKeyFields(t *testing.T) {
	rsaPEM := testKeyPEM(t, "rsa")
	blk, _ := pem.Decode(rsaPEM)
	lines := strings.Split(strings.TrimSpace(string(rsaPEM)), "\n")
	body := lines[1 : len(lines)-1]
	escaped := `{"key": "` + strings.ReplaceAll(string(rsaPEM), "\n", `\n`) + `"}`
	indented := "tls:\n  key: |\n    " + strings.ReplaceAll(string(rsaPEM), "\n", "\n    ")

	cases := []struct {
		name, leak, want string
	}{
		{"DER", string(blk.Bytes), "its private key, raw"},
		{"joined body", strings.Join(body, ""), "its private key, base64"},
		{"JSON-escaped", escaped, "its private key line, raw"},
		{"indented", indented, "its private key line, raw"},
		{"CRLF", strings.ReplaceAll(string(rsaPEM), "\n", "\r\n"), "its private key line, raw"},
		{"one line", body[10], "its private key line, raw"},
	}
	for _, tc := range cases {
		r := scanLeak(t, []byte(tc.leak), rsaPEM)
		got := hitList(r)
		if len(got) == 0 || !allEqual(got, tc.want) {
			t.Errorf("%s: hits %q, want %q", tc.name, got, tc.want)
		}
	}

	// The lines that hold only the public key are not looked for: the
	// image may ship the public key, as one line too. In PKCS #1 and in
	// PKCS #8 (openssl's default).
	k := testKey(t, "rsa")
	spki, _ := x509.MarshalPKIXPublicKey(k.(crypto.Signer).Public())
	pub := base64.StdEncoding.EncodeToString(spki)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(k)
	for _, key := range [][]byte{rsaPEM, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})} {
		d := SecretPatterns(0, key)
		if d.Fields < 10 {
			t.Errorf("%d fields of an RSA key", d.Fields)
		}
		if r := scanLeak(t, []byte(pub+"\n"+string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: spki}))), key); len(r.Hits) != 0 {
			t.Errorf("the public key matched: %q", hitList(r))
		}
	}

	// An Ed25519 key is one line, its DER's base64.
	for kind, want := range map[string]string{"ec": "its private key line, raw", "ed25519": "its private key, base64"} {
		p := testKeyPEM(t, kind)
		r := scanLeak(t, []byte(strings.ReplaceAll(string(p), "\n", "\r\n")), p)
		if got := hitList(r); !allEqual(got, want) {
			t.Errorf("%s key with CRLF: hits %q, want %q", kind, got, want)
		}
	}

	// OpenSSH: the first line (magic, cipher, kdf, the key type) is the
	// same in every unencrypted Ed25519 key and is not looked for; the
	// lines that hold the private key are.
	ossh, authorized := testOpenSSHKey(t)
	olines := strings.Split(strings.TrimSpace(string(ossh)), "\n")
	if r := scanLeak(t, []byte(olines[1]+"\n"+authorized+"\n"), ossh); len(r.Hits) != 0 {
		t.Errorf("the header line or the public key of an OpenSSH key matched: %q", hitList(r))
	}
	if r := scanLeak(t, []byte("  "+strings.Join(olines, "\n  ")), ossh); len(r.Hits) == 0 || !allEqual(hitList(r), "its private key line, raw") {
		t.Errorf("indented OpenSSH key: hits %q", hitList(r))
	}

	// A service-account key: the PEM in private_key (as jq -r prints it),
	// and its lines escaped in another JSON; its identifiers are not
	// looked for.
	sa, _ := json.Marshal(map[string]string{
		"type": "service_account", "project_id": "proj-1234567", "private_key_id": "0123456789abcdef0123456789abcdef01234567",
		"private_key": string(rsaPEM), "client_email": "ci@proj-1234567.iam.gserviceaccount.com",
		"token_uri": "https://oauth2.googleapis.com/token",
	})
	if r := scanLeak(t, rsaPEM, sa); !allEqual(hitList(r), "its json private_key, raw") {
		t.Errorf("service account, jq -r .private_key: hits %q", hitList(r))
	}
	if r := scanLeak(t, []byte(escaped), sa); len(r.Hits) == 0 || !allEqual(hitList(r), "its private key line, raw") {
		t.Errorf("service account, key escaped: hits %q", hitList(r))
	}
	if r := scanLeak(t, []byte("0123456789abcdef0123456789abcdef01234567 ci@proj-1234567.iam.gserviceaccount.com https://oauth2.googleapis.com/token service_account"), sa); len(r.Hits) != 0 {
		t.Errorf("service account identifiers: hits %q", hitList(r))
	}

	// A key inside a .env value, quoted over several lines.
	env := []byte("APP=1\nSIGNING_KEY=\"" + string(rsaPEM) + "\"\n")
	if r := scanLeak(t, []byte(body[12]), env); !allEqual(hitList(r), "its private key line, raw") {
		t.Errorf(".env with a key: hits %q", hitList(r))
	}
	if r := scanLeak(t, []byte(lines[0]+"\n"+lines[len(lines)-1]), env); len(r.Hits) != 0 {
		t.Errorf(".env with a key: its BEGIN and END lines matched: %q", hitList(r))
	}
}

func allEqual(got []string, want string) bool {
	for _, g := range got {
		if g != want {
			return false
		}
	}
	return len(got) > 0
}

// Input that is no format, or half of one, is its whole value.
func TestFieldsOfGarbage(t *testing.T) {
	rsaPEM := string(testKeyPEM(t, "rsa"))
	for _, in := range []string{
		"", "\x00\x01binary", "{", `{"auths": [1, 2]}`, `{"auths": {"r": {"auth": 7}}}`, `{"auths": {"r": {"auth": "!!notbase64"}}}`,
		"machine", "machine h login", "machine h password", `machine h password "unterminated`, "macdef x\nbody\n",
		"https://", "https://@", "https://u:%zz@h", "=", "KEY=", `KEY="unterminated`, "export", "[", "[]",
		"-----BEGIN PRIVATE KEY-----", "-----BEGIN PRIVATE KEY-----\n!!!\n-----END PRIVATE KEY-----",
		"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----",
		rsaPEM[:len(rsaPEM)/2], strings.Repeat("-----BEGIN ", 1000), strings.Repeat("{", 100000),
	} {
		fs := parseFields([]byte(in))
		for _, f := range fs.fields {
			if len(f.value) < MinFieldLen {
				t.Errorf("%q: field %s of %d bytes", in, f.part, len(f.value))
			}
		}
	}
}

// FuzzFields runs the parsers on anything: they must not panic, every
// field is long enough, and no field's name holds a pattern of the
// secret (the report would carry it).
func FuzzFields(f *testing.F) {
	for _, s := range []string{netrcFile, npmrcFile, pypircFile, dockerConfig, gitCredentialsFile, awsFile, dotenvFile, kubeconfigFile} {
		f.Add([]byte(s))
	}
	f.Add(testKeyPEM(f, "ec"))
	ossh, _ := testOpenSSHKey(f)
	f.Add(ossh)
	f.Fuzz(func(t *testing.T, v []byte) {
		fs := parseFields(v)
		if len(fs.fields) > maxFields {
			t.Fatalf("%d fields", len(fs.fields))
		}
		for _, fl := range fs.fields {
			if len(fl.value) < MinFieldLen {
				t.Fatalf("field %s of %d bytes", fl.part, len(fl.value))
			}
		}
		d := SecretPatterns(0, v)
		for _, p := range d.Patterns {
			if p.Part != "" && holdsAny(p.Part, d.Patterns) {
				t.Fatalf("the field name %q holds a pattern", p.Part)
			}
		}
	})
}

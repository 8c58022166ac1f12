//go:build e2e

package e2e

import (
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// TestNetrc: a step reads HTTP credentials from the netrc secret and fetches
// a resource that needs them from a server on the host; the image has the
// answer, and the password appears nowhere in the exported image: not in a
// layer (compressed or not, file by file), the config, its history, a
// manifest or the index.
func TestNetrc(t *testing.T) {
	t.Parallel()
	eachVariant(t, func(t *testing.T, v variant) {
		const user = "admin"
		password := nonce(t, 16) // a fresh password per build
		var good, bad atomic.Int32
		srv := basicAuthServer(t, user, password, "Hello, Admin", &good, &bad)

		netrc := fmt.Sprintf("machine 127.0.0.1 login %s password %s\n", user, password)
		a, _ := h.buildOCI(t, v, buildOpts{
			example: "netrc",
			// A nonce in the URL keeps the fetch out of the build cache: a
			// secret is not part of the cache key (by design), and the kernel
			// may hand this server a port an earlier variant's server had.
			args:    map[string]string{"URL": srv.URL + "/?build=" + nonce(t, 8)},
			secrets: map[string][]byte{"netrc": []byte(netrc)},
			allow:   []string{"network.host"},
		})
		if got := fileString(t, a.image(t).files(t), "/message.txt"); got != "Hello, Admin" {
			t.Errorf("/message.txt = %q, want %q", got, "Hello, Admin")
		}
		if good.Load() == 0 || bad.Load() != 0 {
			t.Errorf("the server answered %d requests with the right credentials and %d without; want at least 1 and 0", good.Load(), bad.Load())
		}
		hits := a.search(map[string][]byte{
			"the password":            []byte(password),
			"the password in base64":  []byte(base64.StdEncoding.EncodeToString([]byte(password))),
			"user:password in base64": []byte(base64.StdEncoding.EncodeToString([]byte(user + ":" + password))),
			"the netrc line":          []byte(netrc[:len(netrc)-1]),
		})
		for _, hit := range hits {
			t.Error(hit)
		}
		if len(a.search(map[string][]byte{"message": []byte("Hello, Admin")})) == 0 {
			t.Error("the search does not even find the message the step saved")
		}
	})
}

// basicAuthServer serves body on 127.0.0.1 (a free port) to requests with
// the right basic-auth credentials, and 401 to the others.
func basicAuthServer(t *testing.T, user, password, body string, good, bad *atomic.Int32) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || u != user || p != password {
			bad.Add(1)
			w.Header().Set("WWW-Authenticate", `Basic realm="e2e"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		good.Add(1)
		fmt.Fprint(w, body)
	}))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

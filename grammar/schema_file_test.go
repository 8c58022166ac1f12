package grammar

import (
	"bytes"
	"os"
	"testing"

	"github.com/ourorg/securefile/grammar/tomlfile"
)

// The copy of the schema kept for editors must be the generated one.
func TestSchemaFileIsCurrent(t *testing.T) {
	got, err := os.ReadFile("../docs/securefile.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, tomlfile.Schema()) {
		t.Fatal("docs/securefile.schema.json is stale: run `make schema`")
	}
}

package frontend

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/frontend/subrequests/outline"

	"github.com/ourorg/securefile/internal/credentials"
	"github.com/ourorg/securefile/spec"
)

// Outline is the answer to frontend.outline. Its JSON is BuildKit's
// outline.Outline (version 1.0.0) with fields added, so every client that
// reads that structure reads this one: caches go in the standard "cache"
// list (whose entries BuildKit gives only an ID and a location), and
// secrets, ssh agents and caches also carry the description the language
// promises (the comments above the declaration), caches their target,
// sharing and read-only setting and their declaration name.
type Outline struct {
	Name        string        `json:"name,omitempty"`
	Description string        `json:"description,omitempty"`
	Args        []outline.Arg `json:"args,omitempty"`
	Secrets     []Secret      `json:"secrets,omitempty"`
	SSH         []SSH         `json:"ssh,omitempty"`
	Cache       []Cache       `json:"cache,omitempty"`
	Sources     [][]byte      `json:"sources,omitempty"`
}

// Secret is outline.Secret (Name is the id the client provides) with a
// description.
type Secret struct {
	outline.Secret
	Description string `json:"description,omitempty"`
}

// SSH is outline.SSH (Name is the agent id the client provides) with a
// description.
type SSH struct {
	outline.SSH
	Description string `json:"description,omitempty"`
}

// Cache is outline.CacheMount (ID is the cache id: caches with the same id
// share storage) with what the declaration says about it.
type Cache struct {
	outline.CacheMount
	Name        string `json:"name,omitempty"`
	Target      string `json:"target,omitempty"`
	Sharing     string `json:"sharing,omitempty"`
	ReadOnly    bool   `json:"readonly,omitempty"`
	Description string `json:"description,omitempty"`
}

// outlineOf is the outline of building target ("" for the default) from f:
// the args, secrets, ssh agents and caches of the stages the target
// reaches, in file order. An arg's value is the build arg given for it,
// else its default expanded with platformArgs (the BUILD* and TARGET*
// args of the build being outlined). data is the file's text, source 0 of
// every location.
//
// The outline is printed where CI logs keep it, so it refuses the build
// args a build refuses (a secret passed as a build arg), and a value
// shaped like a credential (a suppressed finding in the file, or one an
// arg default assembles) is shown masked.
func outlineOf(f *spec.File, target string, data []byte, buildArgs, platformArgs map[string]string) (*Outline, error) {
	st, err := targetStage(f, target)
	if err != nil {
		return nil, err
	}
	if err := secretOptions(f, buildArgOptions(buildArgs)); err != nil {
		return nil, err
	}
	u, err := usageOf(f, st)
	if err != nil {
		return nil, err
	}
	values := argValues(f, buildArgs, platformArgs)
	o := &Outline{
		Name:        st.Name.V,
		Description: description(st.Comments),
		Sources:     [][]byte{data},
	}
	for _, a := range u.args {
		o.Args = append(o.Args, outline.Arg{
			Name:        a.Name.V,
			Description: description(a.Comments),
			Value:       outlineValue(a.Name.V, values[a.Name.V]),
			Location:    location(a.Range),
		})
	}
	seenSecret := map[string]int{}
	for _, s := range u.secrets {
		id := s.EffectiveID()
		if i, ok := seenSecret[id]; ok { // two declarations, one client secret
			o.Secrets[i].Required = o.Secrets[i].Required || s.IsRequired()
			continue
		}
		seenSecret[id] = len(o.Secrets)
		o.Secrets = append(o.Secrets, Secret{
			Secret:      outline.Secret{Name: id, Required: s.IsRequired(), Location: location(s.Range)},
			Description: description(s.Comments),
		})
	}
	seenSSH := map[string]int{}
	for _, s := range u.ssh {
		id := s.EffectiveID()
		if i, ok := seenSSH[id]; ok {
			o.SSH[i].Required = o.SSH[i].Required || s.IsRequired()
			continue
		}
		seenSSH[id] = len(o.SSH)
		o.SSH = append(o.SSH, SSH{
			SSH:         outline.SSH{Name: id, Required: s.IsRequired(), Location: location(s.Range)},
			Description: description(s.Comments),
		})
	}
	for _, c := range u.caches {
		o.Cache = append(o.Cache, Cache{
			CacheMount:  outline.CacheMount{ID: c.EffectiveID(), Location: location(c.Range)},
			Name:        c.Name.V,
			Target:      c.Target.V,
			Sharing:     c.EffectiveSharing(),
			ReadOnly:    c.ReadOnly.Or(false),
			Description: description(c.Comments),
		})
	}
	return o, nil
}

// outlineValue is an arg's value as the outline shows it: masked, with
// what it looks like, when secretOptions' detector takes it for a
// credential (token-shaped, or high-entropy under a credential name).
func outlineValue(name, v string) string {
	if what, masked := credentials.Shape(name, v); what != "" {
		return masked + " (masked: " + what + ")"
	}
	return v
}

// Standard is the outline in BuildKit's own structure.
func (o *Outline) Standard() *outline.Outline {
	out := &outline.Outline{
		Name:        o.Name,
		Description: o.Description,
		Args:        o.Args,
		Sources:     o.Sources,
	}
	for _, s := range o.Secrets {
		out.Secrets = append(out.Secrets, s.Secret)
	}
	for _, s := range o.SSH {
		out.SSH = append(out.SSH, s.SSH)
	}
	for _, c := range o.Cache {
		out.Cache = append(out.Cache, c.CacheMount)
	}
	return out
}

// ToResult is the subrequest result, as outline.Outline.ToResult makes it:
// result.json, result.txt (what buildctl prints; ours has the caches) and
// the structure's version. The version stays 1.0.0, which the JSON still
// is: the added fields are optional and old readers skip them.
func (o *Outline) ToResult() (*client.Result, error) {
	dt, err := json.MarshalIndent(o, "", "  ")
	if err != nil {
		return nil, err
	}
	var txt bytes.Buffer
	if err := o.print(&txt); err != nil {
		return nil, err
	}
	res := client.NewResult()
	res.AddMeta("result.json", dt)
	res.AddMeta("result.txt", txt.Bytes())
	res.AddMeta("version", []byte(outline.SubrequestsOutlineDefinition.Version))
	return res, nil
}

// print writes the text form: outline.PrintOutline's tables, with
// descriptions for secrets and ssh agents and a table of caches.
func (o *Outline) print(w io.Writer) error {
	var b bytes.Buffer
	if o.Name != "" || o.Description != "" {
		tw := tabwriter.NewWriter(&b, 0, 0, 1, ' ', 0)
		name := o.Name
		if name == "" {
			name = "(default)"
		}
		fmt.Fprintf(tw, "TARGET:\t%s\n", name)
		if o.Description != "" {
			fmt.Fprintf(tw, "DESCRIPTION:\t%s\n", o.Description)
		}
		tw.Flush()
		fmt.Fprintln(&b)
	}
	table := func(header string, rows [][]string) {
		if len(rows) == 0 {
			return
		}
		tw := tabwriter.NewWriter(&b, 0, 0, 3, ' ', 0)
		fmt.Fprintln(tw, header)
		for _, r := range rows {
			fmt.Fprintln(tw, strings.Join(r, "\t"))
		}
		tw.Flush()
		fmt.Fprintln(&b)
	}
	var rows [][]string
	for _, a := range o.Args {
		rows = append(rows, []string{a.Name, a.Value, a.Description})
	}
	table("BUILD ARG\tVALUE\tDESCRIPTION", rows)
	rows = nil
	for _, s := range o.Secrets {
		rows = append(rows, []string{s.Name, yes(s.Required), s.Description})
	}
	table("SECRET\tREQUIRED\tDESCRIPTION", rows)
	rows = nil
	for _, s := range o.SSH {
		rows = append(rows, []string{s.Name, yes(s.Required), s.Description})
	}
	table("SSH\tREQUIRED\tDESCRIPTION", rows)
	rows = nil
	for _, c := range o.Cache {
		mode := c.Sharing
		if c.ReadOnly {
			mode += ",readonly"
		}
		rows = append(rows, []string{c.ID, c.Target, mode, c.Description})
	}
	table("CACHE\tTARGET\tSHARING\tDESCRIPTION", rows)
	_, err := w.Write(b.Bytes())
	return err
}

func yes(b bool) string {
	if b {
		return "true"
	}
	return ""
}

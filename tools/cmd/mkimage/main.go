// Command mkimage builds a minimal OCI image from local root filesystem
// directories without pulling anything, and pushes OCI layouts to a registry.
//
//	mkimage build -o LAYOUTDIR [-cmd sh] [-entrypoint /bin/frontend] linux/amd64=ROOTFS [linux/386=ROOTFS2 ...]
//	mkimage push [-insecure] LAYOUTDIR REF
//
// build writes an OCI image layout whose index.json holds one entry: an image
// (one platform) or an image index (several platforms). Layers are
// deterministic (sorted entries, mtime 0, uid/gid 0), so the digest only
// depends on the rootfs contents.
package main

import (
	"archive/tar"
	"bytes"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("mkimage: ")
	if len(os.Args) < 2 {
		usage()
	}
	switch os.Args[1] {
	case "build":
		build(os.Args[2:])
	case "push":
		push(os.Args[2:])
	default:
		usage()
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage:\n  mkimage build -o LAYOUTDIR [-cmd sh] [-entrypoint PATH] OS/ARCH[/VARIANT]=ROOTFS ...\n  mkimage push [-insecure] LAYOUTDIR REF")
	os.Exit(2)
}

func build(args []string) {
	fset := flag.NewFlagSet("build", flag.ExitOnError)
	out := fset.String("o", "", "output OCI layout directory (replaced)")
	cmd := fset.String("cmd", "sh", "image Cmd (space separated)")
	entrypoint := fset.String("entrypoint", "", "image Entrypoint (space separated); BuildKit gateway frontends need this (Cmd is ignored, default /run)")
	fset.Parse(args)
	if *out == "" || fset.NArg() == 0 {
		usage()
	}
	var adds []mutate.IndexAddendum
	for _, arg := range fset.Args() {
		plat, dir, ok := strings.Cut(arg, "=")
		if !ok {
			log.Fatalf("bad argument %q, want OS/ARCH=ROOTFS", arg)
		}
		p, err := v1.ParsePlatform(plat)
		if err != nil {
			log.Fatal(err)
		}
		img, err := imageFromDir(dir, *p, strings.Fields(*entrypoint), strings.Fields(*cmd))
		if err != nil {
			log.Fatalf("%s: %v", dir, err)
		}
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: p}})
	}
	if err := os.RemoveAll(*out); err != nil {
		log.Fatal(err)
	}
	lp, err := layout.Write(*out, empty.Index)
	if err != nil {
		log.Fatal(err)
	}
	var d v1.Hash
	if len(adds) == 1 {
		img := adds[0].Add.(v1.Image)
		d, _ = img.Digest()
		err = lp.AppendImage(img)
	} else {
		idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex), adds...)
		d, _ = idx.Digest()
		err = lp.AppendIndex(idx)
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s %s\n", *out, d)
}

func imageFromDir(dir string, p v1.Platform, entrypoint, cmd []string) (v1.Image, error) {
	data, err := tarDir(dir)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, err
	}
	base := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	base = mutate.ConfigMediaType(base, types.OCIConfigJSON)
	img, err := mutate.AppendLayers(base, layer)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Variant = p.OS, p.Architecture, p.Variant
	cf.Created = v1.Time{Time: time.Unix(0, 0).UTC()}
	cf.Config.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	cf.Config.Entrypoint = entrypoint
	cf.Config.Cmd = cmd
	return mutate.ConfigFile(img, cf)
}

// tarDir returns a reproducible uncompressed tar of dir (symlinks kept as symlinks).
func tarDir(dir string) ([]byte, error) {
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, p := range paths {
		fi, err := os.Lstat(p)
		if err != nil {
			return nil, err
		}
		link := ""
		if fi.Mode()&fs.ModeSymlink != 0 {
			if link, err = os.Readlink(p); err != nil {
				return nil, err
			}
		}
		hdr, err := tar.FileInfoHeader(fi, link)
		if err != nil {
			return nil, err
		}
		rel, _ := filepath.Rel(dir, p)
		hdr.Name = filepath.ToSlash(rel)
		if fi.IsDir() {
			hdr.Name += "/"
		}
		hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname = 0, 0, "", ""
		hdr.ModTime, hdr.AccessTime, hdr.ChangeTime = time.Unix(0, 0), time.Time{}, time.Time{}
		hdr.Format = tar.FormatPAX
		hdr.PAXRecords = nil
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if fi.Mode().IsRegular() {
			f, err := os.Open(p)
			if err != nil {
				return nil, err
			}
			_, err = io.Copy(tw, f)
			f.Close()
			if err != nil {
				return nil, err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func push(args []string) {
	fset := flag.NewFlagSet("push", flag.ExitOnError)
	insecure := fset.Bool("insecure", true, "allow plain HTTP registries")
	fset.Parse(args)
	if fset.NArg() != 2 {
		usage()
	}
	var opts []name.Option
	if *insecure {
		opts = append(opts, name.Insecure)
	}
	ref, err := name.ParseReference(fset.Arg(1), opts...)
	if err != nil {
		log.Fatal(err)
	}
	lp, err := layout.FromPath(fset.Arg(0))
	if err != nil {
		log.Fatal(err)
	}
	ii, err := lp.ImageIndex()
	if err != nil {
		log.Fatal(err)
	}
	im, err := ii.IndexManifest()
	if err != nil {
		log.Fatal(err)
	}
	if len(im.Manifests) != 1 {
		log.Fatalf("%s: want exactly one manifest in index.json, have %d", fset.Arg(0), len(im.Manifests))
	}
	desc := im.Manifests[0]
	if desc.MediaType.IsIndex() {
		idx, err := ii.ImageIndex(desc.Digest)
		if err != nil {
			log.Fatal(err)
		}
		err = remote.WriteIndex(ref, idx)
	} else {
		img, err2 := ii.Image(desc.Digest)
		if err2 != nil {
			log.Fatal(err2)
		}
		err = remote.Write(ref, img)
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("pushed %s@%s\n", ref, desc.Digest)
}

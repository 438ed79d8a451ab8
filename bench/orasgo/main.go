// A minimal oras-go v1.1.1 client for the benchmarks: push files, or pull an artifact.
//
//	orasgo push REF FILE...   (plain HTTP)
//	orasgo pull REF DIR
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/pkg/content"
	"oras.land/oras-go/pkg/oras"
)

func main() {
	if len(os.Args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: orasgo push REF FILE... | orasgo pull REF DIR")
		os.Exit(2)
	}
	ctx := context.Background()
	ref := os.Args[2]
	registry, err := content.NewRegistry(content.RegistryOptions{PlainHTTP: true})
	check(err)
	switch os.Args[1] {
	case "push":
		store := content.NewFile("")
		defer store.Close()
		var descs []ocispec.Descriptor
		for _, path := range os.Args[3:] {
			desc, err := store.Add(filepath.ToSlash(path), "application/vnd.oci.image.layer.v1.tar", path)
			check(err)
			descs = append(descs, desc)
		}
		manifest, manifestDesc, config, configDesc, err := content.GenerateManifestAndConfig(nil, nil, descs...)
		check(err)
		check(store.Load(configDesc, config))
		check(store.StoreManifest(ref, manifestDesc, manifest))
		_, err = oras.Copy(ctx, store, ref, registry, "")
		check(err)
	case "pull":
		store := content.NewFile(os.Args[3])
		defer store.Close()
		_, err := oras.Copy(ctx, registry, ref, store, "")
		check(err)
	default:
		fmt.Fprintln(os.Stderr, "unknown command", os.Args[1])
		os.Exit(2)
	}
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}

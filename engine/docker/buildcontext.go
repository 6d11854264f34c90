package docker

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// inlineDockerfile is the name a Dockerfile takes in the build context
// when it is not a file inside the context folder (dockerfile_inline, or
// a Dockerfile elsewhere).
const inlineDockerfile = ".berth.Dockerfile"

// buildContext is what a build sends: the context folder without what
// .dockerignore leaves out, and the Dockerfile's name in it.
type buildContext struct {
	dir        string
	dockerfile string // name inside the context
	extra      []byte // the Dockerfile's content when it is not in dir
	ignore     *patternmatcher.PatternMatcher
}

// newBuildContext works out the context of a build: dockerfile is
// relative to dir unless absolute; inline, when not empty, is the
// Dockerfile itself. The ignore file is <Dockerfile>.dockerignore beside
// the Dockerfile, else dir's .dockerignore, as docker build reads them.
func newBuildContext(dir, dockerfile, inline string) (*buildContext, error) {
	bc := &buildContext{dir: dir, dockerfile: "Dockerfile"}
	if dockerfile != "" {
		bc.dockerfile = dockerfile
	}
	path := bc.dockerfile
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	switch rel, err := filepath.Rel(dir, path); {
	case inline != "":
		bc.dockerfile, bc.extra = inlineDockerfile, []byte(inline)
	case err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)):
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("reading the Dockerfile: %w", err)
		}
		bc.dockerfile, bc.extra = inlineDockerfile, data
	default:
		bc.dockerfile = filepath.ToSlash(rel)
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("reading the Dockerfile: %w", err)
		}
	}
	var patterns []string
	for _, name := range []string{path + ".dockerignore", filepath.Join(dir, ".dockerignore")} {
		f, err := os.Open(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", name, err)
		}
		patterns, err = ignorefile.ReadAll(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", name, err)
		}
		break
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return nil, fmt.Errorf(".dockerignore: %w", err)
	}
	bc.ignore = pm
	return bc, nil
}

// keep tells whether rel (slash-separated) goes into the context. The
// Dockerfile and .dockerignore always do, as docker build sends them.
func (bc *buildContext) keep(rel string, parent patternmatcher.MatchInfo) (bool, patternmatcher.MatchInfo, error) {
	if rel == bc.dockerfile || rel == ".dockerignore" {
		return true, parent, nil
	}
	excluded, info, err := bc.ignore.MatchesUsingParentResults(rel, parent)
	return !excluded, info, err
}

// writeTar writes the context as a tar stream.
func (bc *buildContext) writeTar(w io.Writer) error {
	tw := tar.NewWriter(w)
	parents := map[string]patternmatcher.MatchInfo{}
	err := filepath.WalkDir(bc.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(bc.dir, path)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		keep, info, err := bc.keep(rel, parents[pathDir(rel)])
		if err != nil {
			return err
		}
		if d.IsDir() {
			parents[rel] = info
			// A folder left out may still hold a file let back in by !...
			if !keep && !bc.ignore.Exclusions() {
				return fs.SkipDir
			}
		}
		if !keep {
			return nil
		}
		return addFile(tw, path, rel, d)
	})
	if err != nil {
		return fmt.Errorf("packing the build context %s: %w", bc.dir, err)
	}
	if bc.extra != nil {
		hdr := &tar.Header{Name: bc.dockerfile, Mode: 0o644, Size: int64(len(bc.extra)), Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := tw.Write(bc.extra); err != nil {
			return err
		}
	}
	return tw.Close()
}

func pathDir(rel string) string {
	if i := strings.LastIndexByte(rel, '/'); i >= 0 {
		return rel[:i]
	}
	return ""
}

// addFile writes one file, folder or symlink of the context.
func addFile(tw *tar.Writer, path, rel string, d fs.DirEntry) error {
	fi, err := d.Info()
	if err != nil {
		return err
	}
	link := ""
	if fi.Mode()&fs.ModeSymlink != 0 {
		if link, err = os.Readlink(path); err != nil {
			return err
		}
	}
	hdr, err := tar.FileInfoHeader(fi, link)
	if err != nil {
		return nil // sockets, devices: not for a build context
	}
	hdr.Name = rel
	if fi.IsDir() {
		hdr.Name += "/"
	}
	hdr.Uname, hdr.Gname = "", ""
	hdr.Uid, hdr.Gid = 0, 0
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(tw, f)
	return err
}

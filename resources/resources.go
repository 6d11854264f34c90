// Package resources holds the files Berth ships inside its binary: the app
// icon, the built-in demo stack, and the standard nginx include files
// (uwsgi_params, proxy_params, fastcgi_params, scgi_params, mime.types) that
// production configs include and a laptop usually lacks. The copies are
// Debian 12's (nginx-common 1.22.1), the files most production servers have.
package resources

import (
	"embed"
	"io/fs"
)

//go:embed nginx
var nginxFiles embed.FS

// StandardNginxFiles returns the standard nginx include files, by base name
// ("uwsgi_params", "mime.types", ...).
func StandardNginxFiles() fs.FS { return sub(nginxFiles, "nginx") }

//go:embed demo
var demoFiles embed.FS

// Demo returns the built-in demo stack: compose.yaml at its root and the
// nginx config it names under nginx/, with the include file that config
// reads, so the demo runs the same with or without nginx installed.
func Demo() fs.FS { return sub(demoFiles, "demo") }

// sub returns the embedded folder dir of fsys.
func sub(fsys embed.FS, dir string) fs.FS {
	s, err := fs.Sub(fsys, dir)
	if err != nil { // cannot happen: the folder is embedded
		panic(err)
	}
	return s
}

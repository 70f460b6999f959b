package senreports

import (
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/localoffer/localoffer/collectors/senreports/extract"
)

// A school site given as a local folder (a saved copy of the site) must
// behave like the same site served over HTTP: root-relative links ("/send/")
// mean the folder's root, directory-style pages ("send/") mean
// "send/index.html", and nothing outside the folder is read. Pages of such a
// site are parsed against a stand-in HTTP address for the folder's root, so
// links resolve exactly as a browser would resolve them on the live site
// ("../../etc/passwd" stops at the root), and are then mapped back to files.

// folderHost stands for a folder site's root while its pages are parsed; the
// .invalid top-level domain can never be a real host.
const folderHost = "folder-site.invalid"

// pageBase is the address links on a page at final are resolved against.
func (s *scope) pageBase(final string) *url.URL {
	u, err := url.Parse(final)
	if err != nil {
		return nil
	}
	if s == nil || !s.file || u.Scheme != "file" {
		return u
	}
	rel := strings.TrimPrefix(path.Clean(u.Path), strings.TrimSuffix(s.root, "/"))
	if !strings.HasPrefix(rel, "/") {
		rel = "/" + rel
	}
	return &url.URL{Scheme: "http", Host: folderHost, Path: rel}
}

// scoreURL is the address a URL is scored by: for a folder site, its path
// within the folder (the folder's own location on disk says nothing about the
// report, and a temporary directory's digits can look like a school year).
func (s *scope) scoreURL(raw string) string {
	if s == nil || !s.file || !strings.HasPrefix(raw, "file://") {
		return raw
	}
	if b := s.pageBase(raw); b != nil {
		return b.String()
	}
	return raw
}

// localLinks maps links parsed against pageBase back into the folder.
// Links to real hosts are left for the scope check to refuse.
func (s *scope) localLinks(ls []extract.Link) {
	if s == nil || !s.file {
		return
	}
	for i, l := range ls {
		u, err := url.Parse(l.URL)
		if err != nil || u.Host != folderHost {
			continue
		}
		p := path.Clean("/" + u.Path)
		if strings.HasSuffix(u.Path, "/") && p != "/" {
			p += "/"
		}
		ls[i].URL = (&url.URL{Scheme: "file", Path: strings.TrimSuffix(s.root, "/") + p}).String()
	}
}

// target is the file to read for a folder-site URL: a directory means its
// index page, and a path that leaves the folder (through a symbolic link, say)
// is refused. Other URLs are fetched as they are.
func (s *scope) target(raw string) (string, error) {
	if s == nil || !s.file || !strings.HasPrefix(raw, "file://") {
		return raw, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", refusedf("%s: %v", raw, err)
	}
	p := path.Clean(u.Path)
	if !strings.HasPrefix(p+"/", s.root) {
		return "", refusedf("%s: outside the site's folder %s", raw, s.root)
	}
	p = folderIndex(p)
	root, err := filepath.EvalSymlinks(filepath.FromSlash(s.root))
	if err != nil {
		return "", fmt.Errorf("site folder %s: %w", s.root, err)
	}
	if real, err := filepath.EvalSymlinks(filepath.FromSlash(p)); err == nil {
		if real != root && !strings.HasPrefix(real, root+string(filepath.Separator)) {
			return "", refusedf("%s: leads outside the site's folder", raw)
		}
	}
	return (&url.URL{Scheme: "file", Path: p}).String(), nil
}

// folderIndex turns a directory path into its index page, as a web server does.
func folderIndex(p string) string {
	st, err := os.Stat(filepath.FromSlash(p))
	if err != nil || !st.IsDir() {
		return p
	}
	for _, name := range []string{"index.html", "index.htm"} {
		if _, err := os.Stat(filepath.Join(filepath.FromSlash(p), name)); err == nil {
			return path.Join(p, name)
		}
	}
	return path.Join(p, "index.html")
}

// homeTarget is folderIndex for a home page given as a file:// URL.
func homeTarget(raw string) string {
	if !strings.HasPrefix(raw, "file://") {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return (&url.URL{Scheme: "file", Path: folderIndex(path.Clean(u.Path))}).String()
}

package output

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/modecrawl/modecrawl/pkg/record"
)

// ErrClosed is returned when a record is added to, or a commit is attempted
// on, a Writer that was already committed or aborted.
var ErrClosed = errors.New("output writer is closed")

// file identifies one JSONL file of the output set.
type file int

const (
	fileSpaces file = iota
	fileReports
	fileDatasets
	fileQueries
	fileCharts
	fileDataSources
	fileDefinitions
	fileUsers
	fileLineage
	numFiles
)

// fileInfo maps each file to its name and to the manifest count key.
var fileInfo = [numFiles]struct {
	name string
	kind string
}{
	fileSpaces:      {record.SpacesFile, record.KindSpace},
	fileReports:     {record.ReportsFile, record.KindReport},
	fileDatasets:    {record.DatasetsFile, record.KindDataset},
	fileQueries:     {record.QueriesFile, record.KindQuery},
	fileCharts:      {record.ChartsFile, record.KindChart},
	fileDataSources: {record.DataSourcesFile, record.KindDataSource},
	fileDefinitions: {record.DefinitionsFile, record.KindDefinition},
	fileUsers:       {record.UsersFile, record.KindUser},
	fileLineage:     {record.LineageFile, record.KindLineage},
}

// Writer collects records into a temporary directory beside the target and
// swaps the finished, sorted set into place on Commit. Its Add methods are
// safe for concurrent use.
type Writer struct {
	dir string
	tmp string

	mu     sync.Mutex // guards spills and closed
	spills [numFiles]*spill
	closed bool
}

// Create starts a new output set for dir. Nothing under dir changes until
// Commit. A set left aside by an earlier run that was killed between its
// two renames is put back first, so dir is never left missing.
func Create(dir string) (*Writer, error) {
	dir = filepath.Clean(dir)
	parent, base := filepath.Split(dir)
	if parent == "" {
		parent = "."
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("create output parent %s: %w", parent, err)
	}
	if err := recoverAside(parent, base, dir); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(parent, "."+base+".tmp-")
	if err != nil {
		return nil, fmt.Errorf("create temporary output directory: %w", err)
	}
	w := &Writer{dir: dir, tmp: tmp}
	for i := range numFiles {
		w.spills[i] = &spill{name: fileInfo[i].name, tmp: tmp}
	}
	return w, nil
}

// recoverAside puts back a previous set that a killed run renamed aside
// (".<base>.old-*") when dir itself is missing. Stale temporary directories
// of killed runs are removed.
func recoverAside(parent, base, dir string) error {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return fmt.Errorf("read output parent %s: %w", parent, err)
	}
	_, statErr := os.Stat(dir)
	missing := errors.Is(statErr, os.ErrNotExist)
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, "."+base+".old-"):
			p := filepath.Join(parent, name)
			if missing {
				if err := os.Rename(p, dir); err != nil {
					return fmt.Errorf("restore previous output set: %w", err)
				}
				missing = false
				continue
			}
			_ = os.RemoveAll(p)
		case strings.HasPrefix(name, "."+base+".tmp-"):
			// A temporary set of a run that died before Commit: never valid.
			_ = os.RemoveAll(filepath.Join(parent, name))
		}
	}
	return nil
}

// Dir returns the target directory of the output set.
func (w *Writer) Dir() string { return w.dir }

// AddSpace adds a collection record.
func (w *Writer) AddSpace(s record.Space) error { return w.add(fileSpaces, s.Token, s) }

// AddReport adds a report record.
func (w *Writer) AddReport(r record.Report) error { return w.add(fileReports, r.Token, r) }

// AddDataset adds a dataset record (a report of type DatasetReport).
func (w *Writer) AddDataset(r record.Report) error { return w.add(fileDatasets, r.Token, r) }

// AddQuery adds a query record.
func (w *Writer) AddQuery(q record.Query) error {
	return w.add(fileQueries, q.Token+"\x00"+q.ParentToken, q)
}

// AddChart adds a chart record.
func (w *Writer) AddChart(c record.Chart) error {
	return w.add(fileCharts, c.Token+"\x00"+c.QueryToken, c)
}

// AddDataSource adds a data source record. Data sources sort by numeric id.
func (w *Writer) AddDataSource(d record.DataSource) error {
	return w.add(fileDataSources, idKey(d.ID)+d.Token, d)
}

// AddDefinition adds a definition record.
func (w *Writer) AddDefinition(d record.Definition) error {
	return w.add(fileDefinitions, d.Token, d)
}

// AddUser adds a user record.
func (w *Writer) AddUser(u record.User) error { return w.add(fileUsers, u.Username, u) }

// AddEdge adds a lineage edge.
func (w *Writer) AddEdge(e record.Edge) error { return w.add(fileLineage, EdgeKey(e), e) }

// EdgeKey is the sort key of a lineage edge: source, then target, then origin.
func EdgeKey(e record.Edge) string {
	return strings.Join([]string{
		e.Source.Kind, e.Source.ID, e.Source.Column,
		e.Target.Kind, e.Target.ID, e.Target.Column, e.Origin,
	}, "\x00")
}

// idKey renders an id so that byte order equals numeric order.
func idKey(id int64) string {
	// Flipping the sign bit maps int64 order onto uint64 order.
	return fmt.Sprintf("%020d\x00", uint64(id)^(1<<63))
}

// marshal encodes v as one JSON line. HTML escaping is off so SQL such as
// "a < b" stays readable in the output.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (w *Writer) add(fi file, key string, v any) error {
	// Encode outside the lock: concurrent crawl workers only serialise on
	// the append itself.
	line, err := marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s record %q: %w", fileInfo[fi].kind, key, err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	if err := w.spills[fi].add(key, line); err != nil {
		return fmt.Errorf("spill %s records: %w", fileInfo[fi].kind, err)
	}
	return nil
}

// Counts returns the number of records added so far per entity kind
// (before duplicates are dropped at Commit).
func (w *Writer) Counts() map[string]int {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make(map[string]int, numFiles)
	for i := range numFiles {
		out[fileInfo[i].kind] = w.spills[i].n
	}
	return out
}

// Commit sorts every file, writes the manifest (its Counts are replaced by
// the number of lines actually written, and Errors/Warnings are sorted) and
// swaps the set into place. On any failure the previous set is left intact
// and the temporary directory is removed.
func (w *Writer) Commit(m record.Manifest) (err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	w.closed = true
	defer func() {
		if err != nil {
			_ = os.RemoveAll(w.tmp)
		}
	}()

	counts := make(map[string]int, numFiles)
	for i := range numFiles {
		n, err := w.finish(i)
		if err != nil {
			return err
		}
		counts[fileInfo[i].kind] = n
	}
	m.Counts = counts
	NormalizeManifest(&m)
	if err := writeManifest(filepath.Join(w.tmp, record.ManifestFile), &m); err != nil {
		return err
	}
	if err := syncDir(w.tmp); err != nil {
		return err
	}
	return swap(w.tmp, w.dir)
}

// Abort discards everything added and removes the temporary directory. It
// is safe to call after Commit (it then does nothing).
func (w *Writer) Abort() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	if err := os.RemoveAll(w.tmp); err != nil {
		return fmt.Errorf("remove temporary output directory: %w", err)
	}
	return nil
}

// finish writes one file in sorted order and returns its line count.
func (w *Writer) finish(fi file) (int, error) {
	s := w.spills[fi]
	name := fileInfo[fi].name
	out, err := os.Create(filepath.Join(w.tmp, name))
	if err != nil {
		return 0, fmt.Errorf("create %s: %w", name, err)
	}
	defer out.Close()
	bw := bufio.NewWriterSize(out, 256<<10)
	n, err := s.writeSorted(bw)
	if err != nil {
		return 0, fmt.Errorf("write %s: %w", name, err)
	}
	if err := bw.Flush(); err != nil {
		return 0, fmt.Errorf("write %s: %w", name, err)
	}
	if err := out.Sync(); err != nil {
		return 0, fmt.Errorf("sync %s: %w", name, err)
	}
	if err := out.Close(); err != nil {
		return 0, fmt.Errorf("close %s: %w", name, err)
	}
	// Release the buffer and remove the runs: only final files remain.
	for _, r := range s.runs {
		if err := os.Remove(r); err != nil {
			return 0, fmt.Errorf("remove sort run: %w", err)
		}
	}
	s.arena, s.recs, s.runs = nil, nil, nil
	return n, nil
}

// NormalizeManifest makes a manifest deterministic: Errors and Warnings are
// sorted by kind, token and message and never null, Counts is never null.
func NormalizeManifest(m *record.Manifest) {
	if m.SchemaVersion == "" {
		m.SchemaVersion = record.SchemaVersion
	}
	if m.Counts == nil {
		m.Counts = map[string]int{}
	}
	sortIssues := func(is []record.Issue) []record.Issue {
		if is == nil {
			return []record.Issue{}
		}
		slices.SortStableFunc(is, func(a, b record.Issue) int {
			return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Token, b.Token),
				cmp.Compare(a.Message, b.Message))
		})
		return is
	}
	m.Errors = sortIssues(m.Errors)
	m.Warnings = sortIssues(m.Warnings)
}

func writeManifest(path string, m *record.Manifest) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return fmt.Errorf("encode manifest: %w", err)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create manifest: %w", err)
	}
	if _, err := f.Write(buf.Bytes()); err != nil {
		_ = f.Close()
		return fmt.Errorf("write manifest: %w", err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("sync manifest: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close manifest: %w", err)
	}
	return nil
}

// swap moves the finished set tmp to dir. An existing dir is renamed aside
// first and removed only after the new set is in place; if the second
// rename fails the old set is renamed back.
func swap(tmp, dir string) error {
	parent, base := filepath.Split(dir)
	if parent == "" {
		parent = "."
	}
	aside := ""
	if _, err := os.Stat(dir); err == nil {
		aside = filepath.Join(parent, "."+base+".old-"+strconv.Itoa(os.Getpid())+"-"+filepath.Base(tmp))
		if err := os.Rename(dir, aside); err != nil {
			return fmt.Errorf("move previous output set aside: %w", err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if aside != "" {
			_ = os.Rename(aside, dir)
		}
		return fmt.Errorf("move new output set into place: %w", err)
	}
	_ = syncDir(parent)
	if aside != "" {
		if err := os.RemoveAll(aside); err != nil {
			return fmt.Errorf("remove previous output set: %w", err)
		}
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open %s: %w", dir, err)
	}
	defer d.Close()
	// Some filesystems refuse fsync on directories; durability is best
	// effort there, atomicity comes from rename alone.
	_ = d.Sync()
	return nil
}

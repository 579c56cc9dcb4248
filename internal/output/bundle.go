package output

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/modecrawl/modecrawl/pkg/record"
)

// Bundle is a whole output set in memory: the manifest and every record.
// It suits small workspaces and tests; large crawls stream into a Writer.
type Bundle struct {
	Manifest    record.Manifest
	Spaces      []record.Space
	Reports     []record.Report
	Datasets    []record.Report
	Queries     []record.Query
	Charts      []record.Chart
	DataSources []record.DataSource
	Definitions []record.Definition
	Users       []record.User
	Edges       []record.Edge
}

// Write writes b as the output set in dir, atomically replacing any
// previous set (see Writer).
func Write(dir string, b *Bundle) error {
	w, err := Create(dir)
	if err != nil {
		return err
	}
	if err := b.addTo(w); err != nil {
		_ = w.Abort()
		return err
	}
	return w.Commit(b.Manifest)
}

func (b *Bundle) addTo(w *Writer) error {
	var errs []error
	for _, v := range b.Spaces {
		errs = append(errs, w.AddSpace(v))
	}
	for _, v := range b.Reports {
		errs = append(errs, w.AddReport(v))
	}
	for _, v := range b.Datasets {
		errs = append(errs, w.AddDataset(v))
	}
	for _, v := range b.Queries {
		errs = append(errs, w.AddQuery(v))
	}
	for _, v := range b.Charts {
		errs = append(errs, w.AddChart(v))
	}
	for _, v := range b.DataSources {
		errs = append(errs, w.AddDataSource(v))
	}
	for _, v := range b.Definitions {
		errs = append(errs, w.AddDefinition(v))
	}
	for _, v := range b.Users {
		errs = append(errs, w.AddUser(v))
	}
	for _, v := range b.Edges {
		errs = append(errs, w.AddEdge(v))
	}
	return errors.Join(errs...)
}

// Read loads the output set in dir. It is meant for tests and small sets:
// everything is held in memory.
func Read(dir string) (*Bundle, error) {
	var b Bundle
	raw, err := os.ReadFile(filepath.Join(dir, record.ManifestFile))
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	if err := json.Unmarshal(raw, &b.Manifest); err != nil {
		return nil, fmt.Errorf("decode manifest: %w", err)
	}
	errs := []error{
		readLines(dir, record.SpacesFile, &b.Spaces),
		readLines(dir, record.ReportsFile, &b.Reports),
		readLines(dir, record.DatasetsFile, &b.Datasets),
		readLines(dir, record.QueriesFile, &b.Queries),
		readLines(dir, record.ChartsFile, &b.Charts),
		readLines(dir, record.DataSourcesFile, &b.DataSources),
		readLines(dir, record.DefinitionsFile, &b.Definitions),
		readLines(dir, record.UsersFile, &b.Users),
		readLines(dir, record.LineageFile, &b.Edges),
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &b, nil
}

func readLines[T any](dir, name string, out *[]T) error {
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		return fmt.Errorf("open %s: %w", name, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	// Query lines carry whole SQL texts; allow long lines.
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
	line := 0
	for sc.Scan() {
		line++
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			return fmt.Errorf("decode %s line %d: %w", name, line, err)
		}
		*out = append(*out, v)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	return nil
}

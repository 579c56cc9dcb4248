package output

import (
	"bufio"
	"bytes"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
)

// chunkBytes is how much record data one file buffers in memory before the
// buffer is sorted and written out as a run. Memory use of a Writer is
// therefore bounded (about numFiles × chunkBytes) whatever the workspace
// size; Commit merges the runs.
const chunkBytes = 1 << 20

// rec locates one buffered record inside its file's arena.
type rec struct {
	koff, klen, loff, llen uint32
}

// spill buffers the records of one output file and the sorted runs written
// so far. Records are ordered by (key, line): the line breaks ties, so the
// order never depends on arrival order.
type spill struct {
	name  string
	tmp   string // directory of the run files
	arena []byte
	recs  []rec
	runs  []string
	n     int // records added
}

func (s *spill) key(r rec) []byte  { return s.arena[r.koff : r.koff+r.klen] }
func (s *spill) line(r rec) []byte { return s.arena[r.loff : r.loff+r.llen] }

func (s *spill) add(key string, line []byte) error {
	koff := len(s.arena)
	s.arena = append(s.arena, key...)
	loff := len(s.arena)
	s.arena = append(s.arena, line...)
	s.recs = append(s.recs, rec{uint32(koff), uint32(len(key)), uint32(loff), uint32(len(line))})
	s.n++
	if len(s.arena) >= chunkBytes {
		return s.flushRun()
	}
	return nil
}

func (s *spill) sortBuffered() {
	slices.SortFunc(s.recs, func(a, b rec) int {
		if c := bytes.Compare(s.key(a), s.key(b)); c != 0 {
			return c
		}
		return bytes.Compare(s.line(a), s.line(b))
	})
}

// flushRun sorts the buffer and writes it as a run file: per record a
// uvarint key length, the key, a uvarint line length, the line.
func (s *spill) flushRun() error {
	if len(s.recs) == 0 {
		return nil
	}
	s.sortBuffered()
	path := filepath.Join(s.tmp, s.name+".run"+strconv.Itoa(len(s.runs)))
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create sort run: %w", err)
	}
	bw := bufio.NewWriterSize(f, 256<<10)
	var hdr [binary.MaxVarintLen64]byte
	// bufio.Writer keeps the first error and Flush reports it, so the
	// individual writes need no checks.
	for _, r := range s.recs {
		_, _ = bw.Write(hdr[:binary.PutUvarint(hdr[:], uint64(r.klen))])
		_, _ = bw.Write(s.key(r))
		_, _ = bw.Write(hdr[:binary.PutUvarint(hdr[:], uint64(r.llen))])
		_, _ = bw.Write(s.line(r))
	}
	if err := bw.Flush(); err != nil {
		_ = f.Close()
		return fmt.Errorf("write sort run: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close sort run: %w", err)
	}
	s.runs = append(s.runs, path)
	s.arena = s.arena[:0]
	s.recs = s.recs[:0]
	return nil
}

// writeSorted writes every record in order to w, dropping exact duplicates
// (same key and line, e.g. one edge found twice), and returns the number of
// lines written.
func (s *spill) writeSorted(w io.Writer) (int, error) {
	if len(s.runs) == 0 {
		s.sortBuffered()
		n := 0
		var prev rec
		for i, r := range s.recs {
			if i > 0 && bytes.Equal(s.key(r), s.key(prev)) && bytes.Equal(s.line(r), s.line(prev)) {
				continue
			}
			if _, err := w.Write(s.line(r)); err != nil {
				return 0, err
			}
			prev = r
			n++
		}
		return n, nil
	}
	if err := s.flushRun(); err != nil {
		return 0, err
	}
	return s.merge(w)
}

// merge k-way merges the sorted runs.
func (s *spill) merge(w io.Writer) (int, error) {
	h := make(runHeap, 0, len(s.runs))
	defer func() {
		for _, r := range h {
			_ = r.f.Close()
		}
	}()
	for _, path := range s.runs {
		f, err := os.Open(path)
		if err != nil {
			return 0, fmt.Errorf("open sort run: %w", err)
		}
		r := &runReader{f: f, br: bufio.NewReaderSize(f, 64<<10)}
		ok, err := r.next()
		if err != nil {
			_ = f.Close()
			return 0, err
		}
		if !ok {
			_ = f.Close()
			continue
		}
		h = append(h, r)
	}
	heap.Init(&h)
	var prevKey, prevLine []byte
	n := 0
	for len(h) > 0 {
		r := h[0]
		if n == 0 || !bytes.Equal(r.key, prevKey) || !bytes.Equal(r.line, prevLine) {
			if _, err := w.Write(r.line); err != nil {
				return 0, err
			}
			prevKey = append(prevKey[:0], r.key...)
			prevLine = append(prevLine[:0], r.line...)
			n++
		}
		ok, err := r.next()
		if err != nil {
			return 0, err
		}
		if ok {
			heap.Fix(&h, 0)
		} else {
			_ = r.f.Close()
			heap.Pop(&h)
		}
	}
	return n, nil
}

// runReader reads one run file record by record.
type runReader struct {
	f         *os.File
	br        *bufio.Reader
	key, line []byte
}

func (r *runReader) next() (bool, error) {
	klen, err := binary.ReadUvarint(r.br)
	if errors.Is(err, io.EOF) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read sort run: %w", err)
	}
	r.key = slices.Grow(r.key[:0], int(klen))[:klen]
	if _, err := io.ReadFull(r.br, r.key); err != nil {
		return false, fmt.Errorf("read sort run: %w", err)
	}
	llen, err := binary.ReadUvarint(r.br)
	if err != nil {
		return false, fmt.Errorf("read sort run: %w", err)
	}
	r.line = slices.Grow(r.line[:0], int(llen))[:llen]
	if _, err := io.ReadFull(r.br, r.line); err != nil {
		return false, fmt.Errorf("read sort run: %w", err)
	}
	return true, nil
}

// runHeap orders run readers by their current (key, line).
type runHeap []*runReader

func (h runHeap) Len() int { return len(h) }
func (h runHeap) Less(i, j int) bool {
	if c := bytes.Compare(h[i].key, h[j].key); c != 0 {
		return c < 0
	}
	return bytes.Compare(h[i].line, h[j].line) < 0
}
func (h runHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *runHeap) Push(x any)   { *h = append(*h, x.(*runReader)) }
func (h *runHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

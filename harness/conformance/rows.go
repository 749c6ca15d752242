package conformance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Status is a cell's outcome.
type Status string

// Outcomes of a cell.
const (
	Pass Status = "pass"
	Fail Status = "fail"
	Skip Status = "skip" // the program is not installed
)

// Result is one cell of the matrix: what a program got from a subject.
type Result struct {
	Status Status
	// Detail is what was measured (frame counts, timestamps, errors).
	Detail string
}

// Row is an operation of a real client program.
type Row struct {
	// Program is the client (ffprobe, ffmpeg, rtmpdump).
	Program string
	// Operation says what it does.
	Operation string
	// Run performs the operation against a subject, in dir (a scratch directory).
	Run func(ctx context.Context, s Subject, dir string) Result
	// Known, when set, says why the reference server is expected to fail the row: a
	// difference from the client's expectations that is kept on purpose.
	Known string
}

// output is what a program printed and how it ended.
type output struct {
	stdout, stderr string
	code           int
}

// run runs a program in its own process group, bounded by timeout (the group is killed then).
func run(ctx context.Context, timeout time.Duration, args ...string) (output, error) {
	return runTo(ctx, timeout, nil, args...)
}

// runTo is run with the program's standard output also written to tee (when not nil).
func runTo(ctx context.Context, timeout time.Duration, tee io.Writer, args ...string) (output, error) {
	if _, err := exec.LookPath(args[0]); err != nil {
		return output{}, errMissing{args[0]}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	if tee != nil {
		cmd.Stdout = io.MultiWriter(&so, tee)
	}
	err := cmd.Run()
	out := output{stdout: so.String(), stderr: se.String(), code: cmd.ProcessState.ExitCode()}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		return out, err
	}
	if ctx.Err() != nil {
		return out, fmt.Errorf("%s did not end within %v", args[0], timeout)
	}
	return out, nil
}

// errMissing is a program that is not installed: the cell is skipped.
type errMissing struct{ program string }

func (e errMissing) Error() string { return e.program + " is not installed" }

// failed makes the cell for an error: skip when a program is missing, fail otherwise.
func failed(err error) Result {
	var m errMissing
	if errors.As(err, &m) {
		return Result{Skip, m.Error()}
	}
	return Result{Fail, err.Error()}
}

// errorLines are the lines of a -v error run: every one is an error the program reported.
func errorLines(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func firstOf(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	l := lines[0]
	if len(l) > 90 {
		l = l[:90] + "…"
	}
	return l
}

// packets counts the audio and video packets of a file or URL (ffprobe -count_packets).
func packets(ctx context.Context, target string) (video, audio int, err error) {
	out, err := run(ctx, 20*time.Second, "ffprobe", "-v", "error", "-rw_timeout", "5000000", "-count_packets",
		"-show_entries", "stream=codec_type,nb_read_packets", "-of", "csv=p=0", target)
	if err != nil {
		return 0, 0, err
	}
	if out.code != 0 {
		return 0, 0, fmt.Errorf("ffprobe exit %d: %s", out.code, firstOf(errorLines(out.stderr)))
	}
	for _, l := range strings.Split(strings.TrimSpace(out.stdout), "\n") {
		typ, n, _ := strings.Cut(l, ",")
		v, _ := strconv.Atoi(strings.TrimSpace(n))
		switch typ {
		case "video":
			video = v
		case "audio":
			audio = v
		}
	}
	return video, audio, nil
}

// publisher is ffmpeg publishing the live clip in real time, in the background.
type publisher struct {
	cancel context.CancelFunc
	done   chan struct{}
	out    output
	err    error

	mu      sync.Mutex
	sent    time.Duration // media sent so far (ffmpeg -progress out_time_us)
	changed chan struct{} // closed and replaced when sent moves
	partial []byte
}

// publish starts publishing the clip to url.
func publish(ctx context.Context, clip, url string) *publisher {
	ctx, cancel := context.WithCancel(ctx)
	p := &publisher{cancel: cancel, done: make(chan struct{}), changed: make(chan struct{})}
	go func() {
		defer close(p.done)
		p.out, p.err = runTo(ctx, 40*time.Second, p, "ffmpeg", "-nostdin", "-v", "error", "-re", "-i", clip, "-c", "copy",
			"-progress", "pipe:1", "-stats_period", "0.1", "-f", "flv", url)
	}()
	return p
}

// Write reads ffmpeg's progress lines (key=value) as they come.
func (p *publisher) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.partial = append(p.partial, b...)
	for {
		i := bytes.IndexByte(p.partial, '\n')
		if i < 0 {
			break
		}
		line := string(p.partial[:i])
		p.partial = p.partial[i+1:]
		if v, ok := strings.CutPrefix(line, "out_time_us="); ok {
			if us, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && time.Duration(us)*time.Microsecond > p.sent {
				p.sent = time.Duration(us) * time.Microsecond
				close(p.changed)
				p.changed = make(chan struct{})
			}
		}
	}
	if len(p.partial) > 4096 {
		p.partial = p.partial[:0]
	}
	return len(b), nil
}

// sentAtLeast waits until the publisher has sent d of media; it fails when the publisher ends
// first or ctx is done.
func (p *publisher) sentAtLeast(ctx context.Context, d time.Duration) error {
	for {
		p.mu.Lock()
		sent, changed := p.sent, p.changed
		p.mu.Unlock()
		if sent >= d {
			return nil
		}
		select {
		case <-changed:
		case <-p.done:
			return fmt.Errorf("the publisher ended after %v of media (exit %d: %s)", sent, p.out.code,
				firstOf(errorLines(p.out.stderr)))
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// stop ends the publisher (its process group is killed) and waits for it.
func (p *publisher) stop() { p.cancel(); <-p.done }

// wait waits for the publisher to end and returns how it ended.
func (p *publisher) wait() (output, error) { <-p.done; return p.out, p.err }

// ClipLength is the live clip's length.
const ClipLength = 6 * time.Second

// Clip makes the live clip in dir with ffmpeg (ClipLength, 160×120 H.264 with a keyframe a second,
// mono AAC).
func Clip(ctx context.Context, dir string) (string, error) {
	path := filepath.Join(dir, "clip.flv")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	return path, makeClip(ctx, path, "testsrc=size=160x120:rate=25", ClipLength, "-ac", "1", "-b:a", "64k")
}

// makeClip has ffmpeg write path: length of the video source at 25 fps as H.264 (a keyframe a
// second) and a 440 Hz tone as AAC, with extra output options.
func makeClip(ctx context.Context, path, video string, length time.Duration, extra ...string) error {
	args := []string{"ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", video,
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", strconv.Itoa(int(length.Seconds())),
		"-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p", "-c:a", "aac"}
	args = append(append(args, extra...), path, "-y")
	out, err := run(ctx, 120*time.Second, args...)
	if err != nil {
		return err
	}
	if out.code != 0 {
		return fmt.Errorf("ffmpeg could not make the clip: %s", firstOf(errorLines(out.stderr)))
	}
	return nil
}

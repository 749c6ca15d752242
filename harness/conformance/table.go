package conformance

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Rows is the conformance table: every operation run against every subject.
var Rows = []Row{
	{Program: "ffprobe", Operation: "count VOD packets", Run: probeVOD},
	{Program: "ffmpeg", Operation: "copy VOD to a file", Run: copyVOD},
	{Program: "ffmpeg", Operation: "decode VOD", Run: decodeVOD},
	{Program: "rtmpdump", Operation: "download VOD", Run: dumpVOD},
	{Program: "rtmpdump", Operation: "--start 2.5 --stop 4.3", Run: dumpRange},
	{Program: "rtmpdump", Operation: "--resume a partial file", Run: dumpResume,
		Known: "librtmp resumes only from servers whose timestamps restart at the seek point; the reference server keeps stream time after a seek, as nginx-rtmp does"},
	{Program: "ffmpeg", Operation: "publish live", Run: publishLive},
	{Program: "ffmpeg", Operation: "late joiner of a live stream", Run: lateJoiner},
	{Program: "rtmpdump", Operation: "--live", Run: dumpLive},
	{Program: "ffprobe", Operation: "play a live name before it is published", Run: playBeforePublish},
}

func probeVOD(ctx context.Context, s Subject, _ string) Result {
	v, a, err := packets(ctx, s.URL("vod", VOD.Name))
	if err != nil {
		return failed(err)
	}
	r := Result{Pass, fmt.Sprintf("%d/%d video, %d/%d audio packets", v, VOD.Frames(), a, VOD.Frames())}
	if v != VOD.Frames() || a != VOD.Frames() {
		r.Status = Fail
	}
	return r
}

func copyVOD(ctx context.Context, s Subject, dir string) Result {
	file := filepath.Join(dir, "copy.flv")
	out, err := run(ctx, 30*time.Second, "ffmpeg", "-nostdin", "-v", "error", "-rw_timeout", "5000000", "-i", s.URL("vod", VOD.Name),
		"-c", "copy", "-f", "flv", file, "-y")
	if err != nil {
		return failed(err)
	}
	errs := errorLines(out.stderr)
	v, a, err := packets(ctx, file)
	if err != nil {
		return failed(err)
	}
	r := Result{Pass, fmt.Sprintf("%d/%d video, %d/%d audio in the file, %d errors", v, VOD.Frames(), a, VOD.Frames(), len(errs))}
	if out.code != 0 || len(errs) > 0 || v != VOD.Frames() || a != VOD.Frames() {
		r.Status = Fail
		r.Detail += " " + firstOf(errs)
	}
	return r
}

func decodeVOD(ctx context.Context, s Subject, _ string) Result {
	out, err := run(ctx, 30*time.Second, "ffmpeg", "-nostdin", "-v", "error", "-rw_timeout", "5000000", "-i", s.URL("vod", VOD.Name),
		"-map", "0:v", "-f", "framecrc", "-")
	if err != nil {
		return failed(err)
	}
	n := strings.Count(out.stdout, "\n0,")
	if strings.HasPrefix(out.stdout, "0,") {
		n++
	}
	errs := errorLines(out.stderr)
	r := Result{Pass, fmt.Sprintf("%d/%d frames decoded, %d decoder errors", n, VOD.Frames(), len(errs))}
	if out.code != 0 || len(errs) > 0 || n != VOD.Frames() {
		r.Status = Fail
		r.Detail += " " + firstOf(errs)
	}
	return r
}

// rtmpdumpTrouble are the lines of rtmpdump's output that show a problem.
func rtmpdumpTrouble(stderr string) []string {
	var out []string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.Contains(l, "WARNING") || strings.Contains(l, "ERROR") || strings.Contains(l, "incomplete") {
			out = append(out, strings.TrimSpace(l))
		}
	}
	return out
}

func dumpVOD(ctx context.Context, s Subject, dir string) Result {
	file := filepath.Join(dir, "dump.flv")
	out, err := run(ctx, 30*time.Second, "rtmpdump", "-q", "-r", s.URL("vod", VOD.Name), "-o", file)
	if err != nil {
		return failed(err)
	}
	trouble := rtmpdumpTrouble(out.stderr)
	f, err := readFrames(file)
	if err != nil {
		return Result{Fail, fmt.Sprintf("exit %d: %v; %s", out.code, err, firstOf(trouble))}
	}
	r := Result{Pass, fmt.Sprintf("exit %d, %s", out.code, f)}
	if out.code != 0 || len(trouble) > 0 || f.first != 0 || f.last != VOD.Frames()-1 || f.gaps > 0 || f.repeats > 0 ||
		!f.header || !f.steady || f.offset != 0 {
		r.Status = Fail
		r.Detail += "; " + firstOf(trouble)
	}
	return r
}

// dumpRange downloads 2.5 s to 4.3 s. The frames are told by their identities: served from
// the keyframe at or before 2.5 s (frame 50, 2.00 s) to 4.3 s (frame 107), none missing, the
// AVC sequence header first. rtmpdump labels what it writes with its --start added to the
// server's timestamps (librtmp expects them to restart at the seek point), so the labels of a
// server keeping stream time are the frames' times plus 2.5 s — the cell reports the offset.
func dumpRange(ctx context.Context, s Subject, dir string) Result {
	file := filepath.Join(dir, "range.flv")
	out, err := run(ctx, 30*time.Second, "rtmpdump", "-q", "-r", s.URL("vod", VOD.Name), "-o", file, "--start", "2.5", "--stop", "4.3")
	if err != nil {
		return failed(err)
	}
	f, err := readFrames(file)
	if err != nil {
		return Result{Fail, fmt.Sprintf("exit %d: %v", out.code, err)}
	}
	want0, want1 := VOD.KeyframeAtOrBefore(2500*time.Millisecond), VOD.IndexAtOrBefore(4300*time.Millisecond)
	r := Result{Pass, fmt.Sprintf("exit %d, %s", out.code, f)}
	switch {
	case out.code != 0:
		r.Status = Fail
	case f.first != want0 || f.last < want1-1 || f.last > want1+1:
		r.Status = Fail
		r.Detail += fmt.Sprintf(" (want frames %d–%d)", want0, want1)
	case f.gaps > 0 || f.repeats > 0 || !f.header || !f.steady:
		r.Status = Fail
	}
	return r
}

// dumpResume downloads the first 2 s, then resumes the file to the end. librtmp resumes by
// playing from the file's last keyframe and looks for that keyframe at timestamp 0 (it expects
// timestamps restarting at the seek point); a server keeping stream time after a seek, as
// nginx-rtmp and the reference server do, sends it at its own time and rtmpdump gives up.
func dumpResume(ctx context.Context, s Subject, dir string) Result {
	file := filepath.Join(dir, "resume.flv")
	part, err := run(ctx, 30*time.Second, "rtmpdump", "-q", "-r", s.URL("vod", VOD.Name), "-o", file, "--stop", "2")
	if err != nil {
		return failed(err)
	}
	out, err := run(ctx, 30*time.Second, "rtmpdump", "-q", "-r", s.URL("vod", VOD.Name), "-o", file, "--resume")
	if err != nil {
		return failed(err)
	}
	r := Result{Pass, fmt.Sprintf("partial exit %d, resume exit %d", part.code, out.code)}
	f, ferr := readFrames(file)
	if ferr != nil {
		r.Detail += ": " + ferr.Error()
	} else {
		r.Detail += ", " + f.String()
	}
	if out.code != 0 || ferr != nil || f.first != 0 || f.last != VOD.Frames()-1 || f.gaps > 0 || f.repeats > 0 {
		r.Status = Fail
		if t := rtmpdumpTrouble(out.stderr); len(t) > 0 {
			r.Detail += "; " + t[len(t)-1]
		}
	}
	return r
}

func publishLive(ctx context.Context, s Subject, dir string) Result {
	clip, err := Clip(ctx, dir)
	if err != nil {
		return failed(err)
	}
	out, err := publish(ctx, clip, s.URL("live", "pub")).wait()
	if err != nil {
		return failed(err)
	}
	errs := errorLines(out.stderr)
	r := Result{Pass, fmt.Sprintf("exit %d, %d errors", out.code, len(errs))}
	if out.code != 0 || len(errs) > 0 {
		r.Status = Fail
		r.Detail += " " + firstOf(errs)
	}
	return r
}

// lateJoiner decodes a live stream joined once its publisher has sent 1.5 s (mid-GOP, after
// the AAC and AVC headers went by) and counts the decoder's errors; a probe joining at the
// same point must see mono audio, as published (it can only know from the AAC header).
func lateJoiner(ctx context.Context, s Subject, dir string) Result {
	clip, err := Clip(ctx, dir)
	if err != nil {
		return failed(err)
	}
	url := s.URL("live", "late")
	pub := publish(ctx, clip, url)
	defer pub.stop()
	if err := pub.sentAtLeast(ctx, 1500*time.Millisecond); err != nil {
		return failed(err)
	}
	probe := make(chan string, 1)
	go func() {
		out, err := run(ctx, 20*time.Second, "ffprobe", "-v", "error", "-rw_timeout", "5000000", "-select_streams", "a",
			"-show_entries", "stream=channels", "-of", "csv=p=0", url)
		if err != nil {
			probe <- "? (" + err.Error() + ")"
			return
		}
		probe <- strings.TrimSpace(out.stdout)
	}()
	out, err := run(ctx, 20*time.Second, "ffmpeg", "-nostdin", "-v", "error", "-rw_timeout", "5000000", "-i", url, "-t", "1.5",
		"-f", "framecrc", "-")
	channels := <-probe
	if err != nil {
		return failed(err)
	}
	errs := errorLines(out.stderr)
	n := strings.Count(out.stdout, "\n0,") + strings.Count(out.stdout, "\n1,")
	r := Result{Pass, fmt.Sprintf("%d packets, %d decoder errors, audio channels %s", n, len(errs), channels)}
	if out.code != 0 || len(errs) > 0 || n == 0 || channels != "1" {
		r.Status = Fail
		r.Detail += " " + firstOf(errs)
	}
	return r
}

// dumpLive records 2 s of a live stream with rtmpdump --live --stop 2 (play's len: the server
// ends the subscription after 2 s of media).
func dumpLive(ctx context.Context, s Subject, dir string) Result {
	clip, err := Clip(ctx, dir)
	if err != nil {
		return failed(err)
	}
	url := s.URL("live", "dump")
	pub := publish(ctx, clip, url)
	defer pub.stop()
	if err := pub.sentAtLeast(ctx, 500*time.Millisecond); err != nil {
		return failed(err)
	}
	file := filepath.Join(dir, "live.flv")
	out, err := run(ctx, 15*time.Second, "rtmpdump", "-q", "-m", "3", "--live", "-r", url, "-o", file, "--stop", "2")
	if err != nil {
		return failed(err)
	}
	trouble := rtmpdumpTrouble(out.stderr)
	v, a, perr := packets(ctx, file)
	// --stop 2 is play's len: 2 s of the live stream (the clip has 25 frames a second).
	r := Result{Pass, fmt.Sprintf("exit %d, %d video, %d audio packets (2 s: about 50 video)", out.code, v, a)}
	if perr != nil || out.code != 0 || v < 45 || v > 56 || a == 0 || len(trouble) > 0 {
		r.Status = Fail
		r.Detail += "; " + firstOf(trouble)
	}
	return r
}

// playBeforePublish starts a player on a live name nobody publishes yet and, once the server
// has its play, publishes: the player waits (AMS: play(name, -1) waits for the live stream)
// and gets the stream.
func playBeforePublish(ctx context.Context, s Subject, dir string) Result {
	clip, err := Clip(ctx, dir)
	if err != nil {
		return failed(err)
	}
	url := s.URL("live", "later")
	type res struct {
		out output
		err error
	}
	probe := make(chan res, 1)
	go func() {
		out, err := run(ctx, 20*time.Second, "ffprobe", "-v", "error", "-rw_timeout", "8000000", "-show_entries", "stream=codec_name",
			"-of", "csv=p=0", url)
		probe <- res{out, err}
	}()
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	err = s.WaitPlay(wctx, "later")
	cancel()
	if err != nil {
		p := <-probe
		return Result{Fail, fmt.Sprintf("%v (ffprobe exit %d: %s)", err, p.out.code, firstOf(errorLines(p.out.stderr)))}
	}
	pub := publish(ctx, clip, url)
	defer pub.stop()
	p := <-probe
	if p.err != nil {
		return failed(p.err)
	}
	codecs := strings.Fields(strings.ReplaceAll(p.out.stdout, "\n", " "))
	r := Result{Pass, fmt.Sprintf("exit %d, streams %s", p.out.code, strings.Join(codecs, "+"))}
	if p.out.code != 0 || len(codecs) < 2 {
		r.Status = Fail
		r.Detail += " " + firstOf(errorLines(p.out.stderr))
	}
	return r
}

// Cell is one measured cell.
type Cell struct {
	Row     Row
	Subject string
	Result
}

// Run runs every row against every subject, in order, each in a scratch directory under
// dir, calling progress after each cell.
func Run(ctx context.Context, subjects []Subject, rows []Row, dir string, progress func(Cell)) ([]Cell, error) {
	var out []Cell
	for _, s := range subjects {
		sd := filepath.Join(dir, s.Name())
		if err := os.MkdirAll(sd, 0o755); err != nil {
			return out, err
		}
		for i, r := range rows {
			cd := filepath.Join(sd, fmt.Sprint(i))
			if err := os.MkdirAll(cd, 0o755); err != nil {
				return out, err
			}
			if clip := filepath.Join(dir, "clip.flv"); fileExists(clip) {
				_ = os.Link(clip, filepath.Join(cd, "clip.flv"))
			} else if c, err := Clip(ctx, dir); err == nil {
				_ = os.Link(c, filepath.Join(cd, "clip.flv"))
			}
			c := Cell{Row: r, Subject: s.Name(), Result: r.Run(ctx, s, cd)}
			out = append(out, c)
			if progress != nil {
				progress(c)
			}
			if ctx.Err() != nil {
				return out, ctx.Err()
			}
		}
	}
	return out, nil
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

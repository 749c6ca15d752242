package rtmpconn

import (
	"bufio"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/yutopp/go-rtmp/handshake"
)

// The RTMP handshake, server side. A client that signs its C1 with the Flash Player 9 digest
// (ffmpeg, rtmpdump, Flash Player) gets a signed S1 and an S2 that proves the server saw its
// digest — what Adobe's servers send and what those clients verify ("client signature does
// not match" otherwise). A client with a plain C1 gets the plain handshake: S2 echoes C1.
// The keys are the public constants every RTMP implementation carries.

const sigSize = 1536

var (
	genuineFMS = []byte("Genuine Adobe Flash Media Server 001")
	genuineFP  = []byte("Genuine Adobe Flash Player 001")
	randomCrud = []byte{0xF0, 0xEE, 0xC2, 0x4A, 0x80, 0x68, 0xBE, 0xE8, 0x2E, 0x00, 0xD0, 0xD1, 0x02, 0x9E, 0x7E, 0x57,
		0x6E, 0xEC, 0x5D, 0x2D, 0x29, 0x80, 0x6F, 0xAB, 0x93, 0xB8, 0xE6, 0x36, 0xCF, 0xEB, 0x31, 0xAE}
	fmsKey = append(append([]byte{}, genuineFMS...), randomCrud...) // 68 bytes
)

// serverVersion goes in S1 (AMS 3.5.3 style); a non-zero version tells clients to verify the
// digest.
var serverVersion = [4]byte{3, 5, 3, 1}

// digestOffset is where a digest sits in a 1536-byte C1/S1: scheme 0 (offset from bytes 8–11,
// the digest in the first half) or scheme 1 (from bytes 772–775, in the second half).
func digestOffset(b []byte, scheme int) int {
	base := 8
	if scheme == 1 {
		base = 772
	}
	sum := int(b[base]) + int(b[base+1]) + int(b[base+2]) + int(b[base+3])
	return sum%728 + base + 4
}

func hmacSHA256(key []byte, parts ...[]byte) []byte {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}

// digestOf computes the digest of sig (without the 32 bytes at off) under key.
func digestOf(sig []byte, off int, key []byte) []byte {
	return hmacSHA256(key, sig[:off], sig[off+32:])
}

// clientDigest finds and verifies the Flash Player digest of C1; ok is false for a plain C1.
func clientDigest(c1 []byte) (digest []byte, scheme int, ok bool) {
	for scheme := 0; scheme < 2; scheme++ {
		off := digestOffset(c1, scheme)
		if want := digestOf(c1, off, genuineFP); hmac.Equal(want, c1[off:off+32]) {
			return c1[off : off+32], scheme, true
		}
	}
	return nil, 0, false
}

// serverHandshake runs the server side of the handshake on rw.
func serverHandshake(rw io.ReadWriter) error {
	var c0c1 [1 + sigSize]byte
	if _, err := io.ReadFull(rw, c0c1[:]); err != nil {
		return fmt.Errorf("read C0+C1: %w", err)
	}
	if v := c0c1[0]; v != 3 {
		return fmt.Errorf("client asks for RTMP version %d, not 3", v)
	}
	c1 := c0c1[1:]
	out := make([]byte, 1+2*sigSize)
	out[0] = 3
	s1, s2 := out[1:1+sigSize], out[1+sigSize:]
	if _, err := rand.Read(s1[8:]); err != nil {
		return err
	}
	digest, scheme, signed := clientDigest(c1)
	if signed {
		copy(s1[4:8], serverVersion[:])
		off := digestOffset(s1, scheme)
		copy(s1[off:], digestOf(s1, off, genuineFMS))
		if _, err := rand.Read(s2[:sigSize-32]); err != nil {
			return err
		}
		copy(s2[sigSize-32:], hmacSHA256(hmacSHA256(fmsKey, digest), s2[:sigSize-32]))
	} else {
		copy(s2, c1) // the plain handshake: S2 echoes C1
	}
	binary.BigEndian.PutUint32(s1[0:4], 0)
	if _, err := rw.Write(out); err != nil {
		return fmt.Errorf("write S0+S1+S2: %w", err)
	}
	// C2 answers S1; clients differ in what they put there and nothing depends on it.
	var c2 [sigSize]byte
	if _, err := io.ReadFull(rw, c2[:]); err != nil {
		return fmt.Errorf("read C2: %w", err)
	}
	return nil
}

// clientHandshake runs the client side of the handshake (go-rtmp's) on w, reading through br.
// go-rtmp writes C0 and C1 in four writes and C2 in three, and reads S0, S1 and S2 in seven:
// gathered, C0+C1 and C2 go out in one write each, and the reads come from br's buffer — a
// segment each was a wake-up at every hop of a route.
func clientHandshake(w io.Writer, br *bufio.Reader) error {
	g := &gathered{r: br, w: w}
	if err := handshake.HandshakeWithServer(g, g, &handshake.Config{}); err != nil {
		return err
	}
	return g.flush()
}

// gathered holds what is written until the next read, or flush.
type gathered struct {
	r   io.Reader
	w   io.Writer
	out []byte
}

func (g *gathered) Write(p []byte) (int, error) {
	g.out = append(g.out, p...)
	return len(p), nil
}

func (g *gathered) Read(p []byte) (int, error) {
	if err := g.flush(); err != nil {
		return 0, err
	}
	return g.r.Read(p)
}

func (g *gathered) flush() error {
	if len(g.out) == 0 {
		return nil
	}
	_, err := g.w.Write(g.out)
	g.out = g.out[:0]
	return err
}

package spec

// Closest is the candidate nearest to word (case-insensitively, fewer than 3 edits away), for
// a "did you mean"; ok is false when none is that close.
func Closest(word string, candidates []string) (best string, ok bool) {
	bestDist := 3
	for _, c := range candidates {
		if d := EditDistance(lower(word), lower(c)); d < bestDist {
			best, bestDist, ok = c, d, true
		}
	}
	return best, ok
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// EditDistance is the optimal-string-alignment distance between a and b: insertions,
// deletions, substitutions and transpositions of neighbours ("dorp" is 1 from "drop").
func EditDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

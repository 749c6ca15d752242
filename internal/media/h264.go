package media

// A tiny H.264 (Baseline, CAVLC) bitstream writer: one 16x16 macroblock per picture, IDR
// pictures coded as a single I_PCM macroblock and P pictures as one skipped macroblock. It is
// the smallest stream that real decoders (ffmpeg/ffprobe) accept, and it leaves the frame's
// identity free to travel in an SEI user-data NAL unit.

import "bytes"

const (
	nalSlice = 1
	nalIDR   = 5
	nalSEI   = 6
	nalSPS   = 7
	nalPPS   = 8

	log2MaxFrameNum = 4 // frame_num is 4 bits
)

// bitWriter writes an RBSP most significant bit first.
type bitWriter struct {
	buf  []byte
	cur  byte
	nbit uint
}

func (w *bitWriter) bit(b uint) {
	w.cur = w.cur<<1 | byte(b&1)
	w.nbit++
	if w.nbit == 8 {
		w.buf = append(w.buf, w.cur)
		w.cur, w.nbit = 0, 0
	}
}

func (w *bitWriter) bits(v uint64, n int) {
	for i := n - 1; i >= 0; i-- {
		w.bit(uint(v>>uint(i)) & 1)
	}
}

// ue writes an unsigned Exp-Golomb code.
func (w *bitWriter) ue(v uint) {
	x := uint64(v) + 1
	n := 0
	for t := x; t > 1; t >>= 1 {
		n++
	}
	w.bits(0, n)
	w.bits(x, n+1)
}

// se writes a signed Exp-Golomb code.
func (w *bitWriter) se(v int) {
	if v > 0 {
		w.ue(uint(2*v - 1))
		return
	}
	w.ue(uint(-2 * v))
}

func (w *bitWriter) aligned() bool { return w.nbit == 0 }

// alignZero pads with zero bits to the next byte boundary.
func (w *bitWriter) alignZero() {
	for !w.aligned() {
		w.bit(0)
	}
}

// trailing writes rbsp_trailing_bits: a stop bit then zero alignment.
func (w *bitWriter) trailing() []byte {
	w.bit(1)
	w.alignZero()
	return w.buf
}

// nal wraps an RBSP into a NAL unit with emulation prevention.
func nal(refIdc, typ byte, rbsp []byte) []byte {
	out := make([]byte, 0, len(rbsp)+8)
	out = append(out, refIdc<<5|typ)
	zeros := 0
	for _, b := range rbsp {
		if zeros >= 2 && b <= 3 {
			out = append(out, 3)
			zeros = 0
		}
		out = append(out, b)
		if b == 0 {
			zeros++
		} else {
			zeros = 0
		}
	}
	return out
}

// unescape removes emulation prevention bytes from a NAL unit payload.
func unescape(p []byte) []byte {
	if !bytes.Contains(p, []byte{0, 0, 3}) {
		return p // nothing to take out: the NAL as it is, not a copy a frame
	}
	out := make([]byte, 0, len(p))
	zeros := 0
	for _, b := range p {
		if zeros >= 2 && b == 3 {
			zeros = 0
			continue
		}
		out = append(out, b)
		if b == 0 {
			zeros++
		} else {
			zeros = 0
		}
	}
	return out
}

const (
	profileBaseline = 66
	levelIdc        = 10
	constraintFlags = 0xC0 // constraint_set0 and constraint_set1: Baseline compatible
)

func spsNAL() []byte {
	var w bitWriter
	w.bits(profileBaseline, 8)
	w.bits(constraintFlags, 8)
	w.bits(levelIdc, 8)
	w.ue(0)                   // seq_parameter_set_id
	w.ue(log2MaxFrameNum - 4) // log2_max_frame_num_minus4
	w.ue(2)                   // pic_order_cnt_type: output order = decode order
	w.ue(1)                   // max_num_ref_frames
	w.bit(0)                  // gaps_in_frame_num_value_allowed_flag
	w.ue(0)                   // pic_width_in_mbs_minus1: 16 px
	w.ue(0)                   // pic_height_in_map_units_minus1: 16 px
	w.bit(1)                  // frame_mbs_only_flag
	w.bit(1)                  // direct_8x8_inference_flag
	w.bit(0)                  // frame_cropping_flag
	w.bit(0)                  // vui_parameters_present_flag
	return nal(3, nalSPS, w.trailing())
}

func ppsNAL() []byte {
	var w bitWriter
	w.ue(0)      // pic_parameter_set_id
	w.ue(0)      // seq_parameter_set_id
	w.bit(0)     // entropy_coding_mode_flag: CAVLC
	w.bit(0)     // bottom_field_pic_order_in_frame_present_flag
	w.ue(0)      // num_slice_groups_minus1
	w.ue(0)      // num_ref_idx_l0_default_active_minus1
	w.ue(0)      // num_ref_idx_l1_default_active_minus1
	w.bit(0)     // weighted_pred_flag
	w.bits(0, 2) // weighted_bipred_idc
	w.se(0)      // pic_init_qp_minus26
	w.se(0)      // pic_init_qs_minus26
	w.se(0)      // chroma_qp_index_offset
	w.bit(1)     // deblocking_filter_control_present_flag
	w.bit(0)     // constrained_intra_pred_flag
	w.bit(0)     // redundant_pic_cnt_present_flag
	return nal(3, nalPPS, w.trailing())
}

// idrNAL codes one IDR picture: a single I_PCM macroblock of flat luma.
func idrNAL(idrPicID uint, luma byte) []byte {
	var w bitWriter
	w.ue(0)                    // first_mb_in_slice
	w.ue(7)                    // slice_type: I (all slices)
	w.ue(0)                    // pic_parameter_set_id
	w.bits(0, log2MaxFrameNum) // frame_num
	w.ue(idrPicID % 65536)     // idr_pic_id
	w.bit(0)                   // no_output_of_prior_pics_flag
	w.bit(0)                   // long_term_reference_flag
	w.se(0)                    // slice_qp_delta
	w.ue(1)                    // disable_deblocking_filter_idc
	w.ue(25)                   // mb_type: I_PCM
	w.alignZero()              // pcm_alignment_zero_bit
	for i := 0; i < 256; i++ { // luma samples
		w.bits(uint64(luma), 8)
	}
	for i := 0; i < 128; i++ { // chroma samples (4:2:0)
		w.bits(128, 8)
	}
	return nal(3, nalIDR, w.trailing())
}

// pNAL codes one P picture whose only macroblock is skipped (a copy of the reference).
func pNAL(frameNum uint) []byte {
	var w bitWriter
	w.ue(0)                                   // first_mb_in_slice
	w.ue(5)                                   // slice_type: P (all slices)
	w.ue(0)                                   // pic_parameter_set_id
	w.bits(uint64(frameNum), log2MaxFrameNum) // frame_num
	w.bit(0)                                  // num_ref_idx_active_override_flag
	w.bit(0)                                  // ref_pic_list_modification_flag_l0
	w.bit(0)                                  // adaptive_ref_pic_marking_mode_flag
	w.se(0)                                   // slice_qp_delta
	w.ue(1)                                   // disable_deblocking_filter_idc
	w.ue(1)                                   // mb_skip_run: the one macroblock
	return nal(2, nalSlice, w.trailing())
}

// seiNAL carries payload as SEI user_data_unregistered under the project's UUID.
func seiNAL(payload []byte) []byte {
	body := make([]byte, 0, len(payload)+24)
	body = append(body, 5) // payloadType: user_data_unregistered
	size := len(seiUUID) + len(payload)
	for ; size >= 255; size -= 255 {
		body = append(body, 255)
	}
	body = append(body, byte(size))
	body = append(body, seiUUID[:]...)
	body = append(body, payload...)
	body = append(body, 0x80) // rbsp_trailing_bits
	return nal(0, nalSEI, body)
}

// seiUUID marks streamfault's SEI messages (16 bytes, none zero).
var seiUUID = [16]byte([]byte("streamfault-sei!"))

// parseSEI returns the user-data payload of an SEI NAL unit carrying seiUUID.
func parseSEI(n []byte) ([]byte, bool) {
	if len(n) < 2 || n[0]&0x1f != nalSEI {
		return nil, false
	}
	p := unescape(n[1:])
	if len(p) < 1 || p[0] != 5 {
		return nil, false
	}
	p = p[1:]
	size := 0
	for len(p) > 0 && p[0] == 255 {
		size += 255
		p = p[1:]
	}
	if len(p) == 0 {
		return nil, false
	}
	size += int(p[0])
	p = p[1:]
	if size < len(seiUUID) || size > len(p) || string(p[:len(seiUUID)]) != string(seiUUID[:]) {
		return nil, false
	}
	return p[len(seiUUID):size], true
}

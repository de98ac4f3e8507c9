package emulator

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"time"

	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"
)

// preset is a VOD preset transcoding template.
type preset struct {
	shortSide int64 // output short side in pixels; the long side keeps the source aspect ratio
	hls       bool  // HLS (.m3u8) instead of MP4
}

// presets lists the preset templates the emulator transcodes. Every other
// Definition yields a failed sub-task.
var presets = map[uint64]preset{
	10:     {shortSide: 360},
	20:     {shortSide: 540},
	30:     {shortSide: 720},
	40:     {shortSide: 1080},
	100010: {shortSide: 360},
	100020: {shortSide: 540},
	100030: {shortSide: 720},
	100040: {shortSide: 1080},
	100070: {shortSide: 1440},
	100080: {shortSide: 2160},
	100210: {shortSide: 360, hls: true},
	100220: {shortSide: 540, hls: true},
	100230: {shortSide: 720, hls: true},
	100240: {shortSide: 1080, hls: true},
}

// Sub-task error of an unknown template.
//
// NOTE: the SDK (vod v1.3.112) does not say which ErrCodeExt and ErrCode
// VOD reports for a template that does not exist.
// InvalidParameterValue.Definition is an API error code the SDK lists, and
// 40000 is a guess at the matching numeric code.
const (
	unknownTemplateCodeExt = "InvalidParameterValue.Definition"
	unknownTemplateCode    = 40000
)

// streamRates holds bitrates in bits per second.
type streamRates struct {
	video int64
	audio int64
}

// ratesForShortSide returns plausible H.264 and AAC bitrates for a picture
// whose short side is shortSide pixels.
func ratesForShortSide(shortSide int64) streamRates {
	switch {
	case shortSide <= 360:
		return streamRates{video: 400_000, audio: 64_000}
	case shortSide <= 540:
		return streamRates{video: 1_000_000, audio: 64_000}
	case shortSide <= 720:
		return streamRates{video: 1_800_000, audio: 128_000}
	case shortSide <= 1080:
		return streamRates{video: 3_500_000, audio: 128_000}
	case shortSide <= 1440:
		return streamRates{video: 7_000_000, audio: 128_000}
	default:
		return streamRates{video: 14_000_000, audio: 128_000}
	}
}

// transcodeResult builds the result of one transcoding sub-task in the
// given status: PROCESSING, or the final SUCCESS or FAIL.
func transcodeResult(file *mediaFile, input *vod.TranscodeTaskInput, final bool, begin, finish time.Time) *vod.MediaProcessTaskResult {
	definition := deref(input.Definition)
	result := &vod.MediaProcessTaskTranscodeResult{
		Status:           stringPtr("PROCESSING"),
		ErrCodeExt:       stringPtr(""),
		ErrCode:          int64Ptr(0),
		Message:          stringPtr(""),
		Input:            input,
		Progress:         int64Ptr(0),
		BeginProcessTime: stringPtr(begin.UTC().Format(isoTime)),
		FinishTime:       stringPtr(""),
	}

	if final {
		result.FinishTime = stringPtr(finish.UTC().Format(isoTime))
		p, ok := presets[definition]
		if ok {
			result.Status = stringPtr("SUCCESS")
			result.Progress = int64Ptr(100)
			result.Output = transcodeOutput(file, definition, p)
		} else {
			result.Status = stringPtr("FAIL")
			result.ErrCodeExt = stringPtr(unknownTemplateCodeExt)
			result.ErrCode = int64Ptr(unknownTemplateCode)
			result.Message = stringPtr(fmt.Sprintf("The transcoding template %d does not exist.", definition))
		}
	}

	return &vod.MediaProcessTaskResult{
		Type:          stringPtr("Transcode"),
		TranscodeTask: result,
	}
}

// transcodeOutput describes the output of a preset. Like real VOD it
// reports Definition 0, so consumers must read Input.Definition.
func transcodeOutput(file *mediaFile, definition uint64, p preset) *vod.MediaTranscodeItem {
	width, height := scaleToShortSide(file.width, file.height, p.shortSide)
	rates := ratesForShortSide(p.shortSide)
	bitrate := rates.video + rates.audio

	extension, container := ".mp4", mp4Container
	if p.hls {
		extension, container = ".m3u8", hlsContainer
	}
	outputURL := file.dir + "/v.f" + strconv.FormatUint(definition, 10) + extension
	sum := md5.Sum([]byte(outputURL))

	return &vod.MediaTranscodeItem{
		Url:                  stringPtr(outputURL),
		Definition:           int64Ptr(0),
		Bitrate:              int64Ptr(bitrate),
		Height:               int64Ptr(height),
		Width:                int64Ptr(width),
		Size:                 int64Ptr(sizeOf(bitrate, file.duration)),
		Duration:             float64Ptr(file.duration),
		Md5:                  stringPtr(hex.EncodeToString(sum[:])),
		Container:            stringPtr(container),
		VideoStreamSet:       videoStreams(rates.video, width, height),
		AudioStreamSet:       audioStreams(rates.audio),
		DigitalWatermarkType: stringPtr("None"),
	}
}

// scaleToShortSide scales width x height so that the shorter side becomes
// shortSide and the longer side keeps the aspect ratio, rounded to an even
// number as H.264 encoders require.
func scaleToShortSide(width, height, shortSide int64) (int64, int64) {
	long, short := max(width, height), min(width, height)
	scaled := int64(math.Round(float64(long)*float64(shortSide)/float64(short)/2)) * 2
	scaled = max(scaled, shortSide)

	if width >= height {
		return scaled, shortSide
	}
	return shortSide, scaled
}

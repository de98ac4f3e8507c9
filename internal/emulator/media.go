package emulator

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"
)

const (
	defaultFileName = "sample.mp4"
	defaultWidth    = 1920
	defaultHeight   = 1080
	defaultDuration = 60.0
	maxFileIdDigits = 32

	mp4Container = "mov,mp4,m4a,3gp,3g2,mj2"
	hlsContainer = "hls,applehttp"
	isoTime      = "2006-01-02T15:04:05Z"
)

// UploadRequest describes a media file to create with Upload.
type UploadRequest struct {
	Name     string // file name; default "sample.mp4"
	SubAppId uint64 // 0 is the primary application
	// FileId is an explicit file ID of decimal digits, which may exceed the
	// int64 range. Empty selects a random 19-digit ID.
	FileId string
	// ProcedureTaskId is copied into the NewFileUpload event, as if a task
	// flow had started at upload time.
	ProcedureTaskId string
	Width, Height   int64   // source resolution in pixels; default 1920x1080
	Duration        float64 // seconds; default 60
}

// UploadResult describes the file Upload created.
type UploadResult struct {
	FileId   string
	MediaUrl string
	// Delivery is the last PUSH attempt of the NewFileUpload event. It is nil
	// in PULL mode and when UploadMediaCompleteEventSwitch is OFF.
	Delivery *Delivery
}

type fileKey struct {
	subAppId uint64
	fileId   string
}

// mediaFile is an uploaded source file.
type mediaFile struct {
	fileId   string
	subAppId uint64
	name     string
	dir      string // URL of the directory holding the source and its transcodes
	width    int64
	height   int64
	duration float64
	created  time.Time
}

func (f *mediaFile) mediaURL() string {
	return f.dir + "/" + url.PathEscape(f.name)
}

// Upload creates a media file and emits NewFileUpload when the
// sub-application's UploadMediaCompleteEventSwitch is ON. In PUSH mode it
// waits for the delivery, including retries, and returns its last attempt.
// A failed delivery is not an error of Upload.
func (e *Emulator) Upload(ctx context.Context, req UploadRequest) (UploadResult, error) {
	req, err := req.withDefaults()
	if err != nil {
		return UploadResult{}, err
	}

	file, err := e.addFile(req)
	if err != nil {
		return UploadResult{}, err
	}
	e.log.Info("file uploaded", "file_id", file.fileId, "sub_app_id", file.subAppId, "name", file.name)

	result := UploadResult{FileId: file.fileId, MediaUrl: file.mediaURL()}
	if !e.uploadEventsOn(file.subAppId) {
		return result, nil
	}

	event := e.newFileUploadEvent(file, req.ProcedureTaskId)
	ctx, stop := e.withEmulatorContext(ctx)
	defer stop()
	result.Delivery = e.emit(ctx, file.subAppId, event)
	return result, nil
}

func (req UploadRequest) withDefaults() (UploadRequest, error) {
	if req.Name == "" {
		req.Name = defaultFileName
	}
	if req.Width == 0 && req.Height == 0 {
		req.Width, req.Height = defaultWidth, defaultHeight
	}
	if req.Duration == 0 {
		req.Duration = defaultDuration
	}

	switch {
	case strings.ContainsAny(req.Name, "/\\") || strings.ContainsFunc(req.Name, isControl):
		return req, fmt.Errorf("%w: Name %q must be a file name without slashes or control characters", ErrInvalidUpload, req.Name)
	case req.FileId != "" && !isDigits(req.FileId):
		return req, fmt.Errorf("%w: FileId %q must contain only decimal digits", ErrInvalidUpload, req.FileId)
	case len(req.FileId) > maxFileIdDigits:
		return req, fmt.Errorf("%w: FileId has %d digits, more than %d", ErrInvalidUpload, len(req.FileId), maxFileIdDigits)
	case req.Width <= 0 || req.Height <= 0:
		return req, fmt.Errorf("%w: Width and Height must both be positive, got %dx%d", ErrInvalidUpload, req.Width, req.Height)
	case req.Duration < 0 || math.IsNaN(req.Duration) || math.IsInf(req.Duration, 0):
		return req, fmt.Errorf("%w: Duration %v must be a positive number of seconds", ErrInvalidUpload, req.Duration)
	}
	return req, nil
}

// addFile stores a new file, generating its ID when req has none.
func (e *Emulator) addFile(req UploadRequest) (*mediaFile, error) {
	e.mu.Lock()
	defer e.mu.Unlock()

	if e.closed {
		return nil, ErrClosed
	}

	fileId := req.FileId
	if fileId == "" {
		fileId = e.newFileId(req.SubAppId)
	}
	key := fileKey{req.SubAppId, fileId}
	if _, ok := e.files[key]; ok {
		return nil, fmt.Errorf("%w: FileId %s in sub-application %d", ErrFileExists, fileId, req.SubAppId)
	}

	file := &mediaFile{
		fileId:   fileId,
		subAppId: req.SubAppId,
		name:     req.Name,
		dir:      fmt.Sprintf("https://%d.vod2.myqcloud.com/%s/%s", e.opts.AppId, e.storagePrefix, randomHex(10)),
		width:    req.Width,
		height:   req.Height,
		duration: req.Duration,
		created:  e.now().UTC(),
	}
	e.files[key] = file
	return file, nil
}

// newFileId returns an unused random 19-digit file ID. The caller holds e.mu.
func (e *Emulator) newFileId(subAppId uint64) string {
	for {
		id := strconv.FormatUint(1e18+rand.Uint64N(9e18), 10)
		if _, ok := e.files[fileKey{subAppId, id}]; !ok {
			return id
		}
	}
}

// withEmulatorContext returns a context that also ends when the emulator
// closes.
func (e *Emulator) withEmulatorContext(ctx context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(e.ctx, cancel)
	return ctx, func() {
		stop()
		cancel()
	}
}

func (e *Emulator) newFileUploadEvent(file *mediaFile, procedureTaskId string) *vod.EventContent {
	return &vod.EventContent{
		EventType: stringPtr(eventNewFileUpload),
		FileUploadEvent: &vod.FileUploadTask{
			FileId:                 stringPtr(file.fileId),
			MediaBasicInfo:         file.basicInfo(),
			ProcedureTaskId:        stringPtr(procedureTaskId),
			ReviewAudioVideoTaskId: stringPtr(""),
			MetaData:               file.metaData(),
		},
	}
}

func (f *mediaFile) basicInfo() *vod.MediaBasicInfo {
	created := f.created.Format(isoTime)
	return &vod.MediaBasicInfo{
		Name:          stringPtr(f.name),
		Description:   stringPtr(""),
		CreateTime:    stringPtr(created),
		UpdateTime:    stringPtr(created),
		ExpireTime:    stringPtr("9999-12-31T23:59:59Z"),
		ClassId:       int64Ptr(0),
		ClassName:     stringPtr("Other"),
		ClassPath:     stringPtr("Other"),
		CoverUrl:      stringPtr(""),
		Type:          stringPtr(fileType(f.name)),
		MediaUrl:      stringPtr(f.mediaURL()),
		StorageRegion: stringPtr("ap-guangzhou"),
		SourceInfo: &vod.MediaSourceData{
			SourceType:    stringPtr("Upload"),
			SourceContext: stringPtr(""),
		},
		Vid: stringPtr(f.fileId),
	}
}

// metaData returns the source metadata: an H.264 video stream at the
// bitrate VOD's preset of the same short side uses, and an AAC stream.
func (f *mediaFile) metaData() *vod.MediaMetaData {
	rates := ratesForShortSide(min(f.width, f.height))
	bitrate := rates.video + rates.audio
	return &vod.MediaMetaData{
		Size:           int64Ptr(sizeOf(bitrate, f.duration)),
		Container:      stringPtr(mp4Container),
		Bitrate:        int64Ptr(bitrate),
		Height:         int64Ptr(f.height),
		Width:          int64Ptr(f.width),
		Duration:       float64Ptr(f.duration),
		Rotate:         int64Ptr(0),
		VideoStreamSet: videoStreams(rates.video, f.width, f.height),
		AudioStreamSet: audioStreams(rates.audio),
		VideoDuration:  float64Ptr(f.duration),
		AudioDuration:  float64Ptr(f.duration),
	}
}

// fileType returns the lower-case extension of name, "mp4" when it has none.
func fileType(name string) string {
	ext := strings.TrimPrefix(path.Ext(name), ".")
	if ext == "" {
		return "mp4"
	}
	return strings.ToLower(ext)
}

// storagePrefix returns the first path segment of the account's media
// URLs, "<8 hex>vodtransgzp<AppId>", derived from the AppId so it is stable.
func storagePrefix(appId uint64) string {
	sum := md5.Sum([]byte(strconv.FormatUint(appId, 10)))
	return hex.EncodeToString(sum[:4]) + "vodtransgzp" + strconv.FormatUint(appId, 10)
}

func sizeOf(bitrate int64, duration float64) int64 {
	return int64(float64(bitrate) * duration / 8)
}

func videoStreams(bitrate, width, height int64) []*vod.MediaVideoStreamItem {
	return []*vod.MediaVideoStreamItem{{
		Bitrate: int64Ptr(bitrate),
		Height:  int64Ptr(height),
		Width:   int64Ptr(width),
		Codec:   stringPtr("h264"),
		Fps:     int64Ptr(25),
	}}
}

func audioStreams(bitrate int64) []*vod.MediaAudioStreamItem {
	return []*vod.MediaAudioStreamItem{{
		Bitrate:      int64Ptr(bitrate),
		SamplingRate: int64Ptr(44100),
		Codec:        stringPtr("aac"),
	}}
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

func isControl(r rune) bool {
	return r < 0x20 || r == 0x7f
}

func int64Ptr(v int64) *int64       { return &v }
func float64Ptr(v float64) *float64 { return &v }

// LargeProcedureEvent returns a finished ProcedureStateChanged notification
// of at least size bytes, padded with AI analysis (tag) results as VOD
// sends them for long videos. Tests use it near SCF's 6 MB request limit.
func LargeProcedureEvent(size int) []byte {
	segment := `{"Type":"Tag","TagTask":{"Status":"SUCCESS","Output":{"TagSet":[{"Tag":"` + strings.Repeat("t", 1000) + `","Confidence":90}]}}}`
	var b strings.Builder
	b.Grow(size + len(segment))
	b.WriteString(`{"EventType":"ProcedureStateChanged","ProcedureStateChangeEvent":{"TaskId":"1250000000-Procedure-large","Status":"FINISH","FileId":"5285890799999990999","AiAnalysisResultSet":[`)
	for i := 0; b.Len() < size-3; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(segment)
	}
	b.WriteString(`]}}`)
	return []byte(b.String())
}

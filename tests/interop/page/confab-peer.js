// SPDX-License-Identifier: GPL-3.0-or-later
// The browser side of the interop tests: a plain RTCPeerConnection and the seed protocol, nothing
// Confab-specific. Every line the tests read is console.log("CONFAB-RESULT " + JSON):
//   {"event":"logged-in"}
//   {"event":"received", ...counts}   >= 30 video frames decoded, audio, and the peer's chat seen
//   {"event":"final","status":"hung-up"|"peer-left", ...}   the call is over
//   {"event":"error"|"server-error"|"connection", ...}       diagnostics
//   {"event":"call-start","t":ms}    the caller's call() begins (wall clock: timeOrigin + now)
//   {"event":"first-frame","t":ms, ...}   the first remote video frame (see reportFirstFrame)
//   {"event":"media", ...}           the camera's settings and the video codec preferences used
// Optional parameters for benchmarks (bench/call-setup, bench/call-cpu-memory); without them the
// page behaves as the interop tests expect:
//   size=WxH   camera size asked for (default 320x240)     fps=N   camera frame rate (default: any)
//   codec=vp8|h264   put this video codec first (setCodecPreferences)
//   hold=SECONDS     the caller stays in the call this long after it has seen everything
//   stats=1          a {"event":"stats"} line every second with getStats figures (bench/network)
//   adapt=1          with size=: let Chromium lower the resolution as it would for a camera
//                    (its default degradation preference) instead of keeping the size
'use strict';

const params = new URLSearchParams(location.search);
const me = params.get('name');
const callee = params.get('call');  // null when answering
const chatText = params.get('chat') || 'hello from the browser';
// hangup=close-first: close the RTCPeerConnection before sending leave, as many pages do; the
// peer then sees the connection go before it hears why.
const closeFirst = params.get('hangup') === 'close-first';
const [wantWidth, wantHeight] = (params.get('size') || '320x240').split('x').map(Number);
const wantFps = params.get('fps') ? Number(params.get('fps')) : null;
// MIME types compare case-insensitively (Chromium reports "video/H264", "video/VP8").
const wantCodec = params.get('codec') ? ('video/' + params.get('codec')).toLowerCase() : null;
const holdMs = params.get('hold') ? Number(params.get('hold')) * 1000 : 0;
const reportStats = params.get('stats') === '1';
const adapt = params.get('adapt') === '1';
const wallNow = () => performance.timeOrigin + performance.now();
const kFramesWanted = 30;
const kAudioPacketsWanted = 25;

let peer = callee;
let pc = null;
let channel = null;
let pollTimer = null;
let reported = false;
let finished = false;
let lastPoll = null;
const early = [];  // candidates that arrive before the remote description
const seen = {
  frames: 0,          // inbound-rtp video framesDecoded
  framesPresented: 0, // requestVideoFrameCallback on the <video> element
  audioPackets: 0,    // inbound-rtp audio packetsReceived
  audioSamples: 0,    // inbound-rtp audio totalSamplesReceived
  chat: null,         // the peer's chat message
  videoCodec: '',
  audioCodec: '',
  candidatesSent: 0,
  mdnsCandidates: 0,  // .local host names: the tests launch Chromium so that there are none
  width: 0,           // inbound-rtp video frameWidth/frameHeight/framesPerSecond, last poll
  height: 0,
  fps: 0,
  receiveKbps: 0,     // inbound video + audio bytes, over the last poll interval
  ignored: [],        // message types this page does not know and ignored
};

const report = (object) => console.log('CONFAB-RESULT ' + JSON.stringify(object));
const fail = (where, e) => report({event: 'error', where, message: String(e && e.stack ? e.stack : e)});
window.addEventListener('error', (e) => fail('window', e.message));
window.addEventListener('unhandledrejection', (e) => fail('promise', e.reason));

const ws = new WebSocket(params.get('server'));
const send = (object) => ws.send(JSON.stringify(object));
ws.onopen = () => send({type: 'login', name: me});
ws.onerror = () => report({event: 'error', where: 'websocket', message: 'WebSocket error'});
ws.onclose = (e) => { if (!finished) report({event: 'error', where: 'websocket', message: 'closed ' + e.code}); };

// One message at a time: a candidate must not overtake the offer or answer before it.
let queue = Promise.resolve();
ws.onmessage = (event) => {
  queue = queue.then(() => handle(JSON.parse(event.data))).catch((e) => fail('message', e));
};

async function handle(m) {
  switch (m.type) {
    case 'login':
      if (!m.success) {
        report({event: 'error', where: 'login', message: m.message});
        return;
      }
      report({event: 'logged-in', name: m.name});
      if (callee) await call();
      return;
    case 'offer':
      if (pc) return;  // one call per page
      peer = m.name;
      await answer(m.offer);
      return;
    case 'answer':
      if (!pc || m.name !== peer) return;
      await pc.setRemoteDescription(m.answer);
      await addEarlyCandidates();
      return;
    case 'candidate':
      if (!pc || m.name !== peer) return;
      if (!m.candidate || !m.candidate.candidate) return;  // end of candidates
      if (pc.remoteDescription) {
        await pc.addIceCandidate(m.candidate);
      } else {
        early.push(m.candidate);
      }
      return;
    case 'leave':
      if (m.name !== peer) return;
      finish('peer-left', m.reason === undefined ? null : m.reason);
      return;
    case 'error':
      report({event: 'server-error', code: m.code, about: m.about, message: m.message});
      return;
    default:
      // users, presence, ringing…: a seed page ignores every type it does not know.
      if (!seen.ignored.includes(m.type)) seen.ignored.push(m.type);
      return;
  }
}

async function addEarlyCandidates() {
  for (const candidate of early.splice(0)) await pc.addIceCandidate(candidate);
}

function useChannel(c) {
  if (c.label !== 'chat') return;
  channel = c;
  channel.onopen = () => channel.send(chatText);
  channel.onmessage = (e) => { if (seen.chat === null) seen.chat = String(e.data); };
  if (channel.readyState === 'open') channel.send(chatText);
}

// The first remote frame, on the wall clock (timeOrigin + a DOMHighResTimeStamp):
//   t          when the requestVideoFrameCallback callback ran (frame decoded and composited)
//   presented  metadata.presentationTime: when the decoded frame was handed to the compositor, the
//              closest analogue of "the first decoded frame"; benchmarks use this one
//   received   metadata.receiveTime: when the last packet of that frame arrived (WebRTC only)
//   decodeMs   metadata.processingDuration: decoder input to decoded frame
let firstFrameReported = false;
function reportFirstFrame(now, metadata) {
  if (firstFrameReported) return;
  firstFrameReported = true;
  const at = (time) => (typeof time === 'number' ? performance.timeOrigin + time : null);
  report({event: 'first-frame', t: performance.timeOrigin + now, presented: at(metadata.presentationTime),
          received: at(metadata.receiveTime),
          decodeMs: typeof metadata.processingDuration === 'number' ? metadata.processingDuration * 1000 : null,
          width: metadata.width, height: metadata.height});
}

// For stats=1: when the first frame presented since the last stats line was (wall clock), so
// that a benchmark can tell when pictures came back after an outage.
let firstPresentedSinceReport = null;
function countPresentedFrames(video) {
  if (!video.requestVideoFrameCallback) return;
  const next = () => video.requestVideoFrameCallback((now, metadata) => {
    reportFirstFrame(now, metadata);
    seen.framesPresented++;
    if (firstPresentedSinceReport === null) firstPresentedSinceReport = performance.timeOrigin + now;
    next();
  });
  next();
}

// codec=: this video codec first, the others (and RTX, RED, FEC) after it, on both sides.
function preferCodec() {
  if (!wantCodec || !RTCRtpReceiver.getCapabilities) return;
  const codecs = RTCRtpReceiver.getCapabilities('video').codecs;
  const preferred = codecs.filter((c) => c.mimeType.toLowerCase() === wantCodec);
  const rest = codecs.filter((c) => c.mimeType.toLowerCase() !== wantCodec);
  if (preferred.length === 0) fail('codec', 'this browser cannot receive ' + wantCodec);
  for (const transceiver of pc.getTransceivers()) {
    const kind = transceiver.receiver.track && transceiver.receiver.track.kind;
    if (kind === 'video' && transceiver.setCodecPreferences) transceiver.setCodecPreferences(preferred.concat(rest));
  }
}

// Keep the asked-for size: Chromium would otherwise scale a busy machine's video down, which a
// comparison at equal resolution must not allow.
async function keepResolution() {
  if (!params.get('size') || adapt) return;
  for (const sender of pc.getSenders()) {
    if (!sender.track || sender.track.kind !== 'video') continue;
    const parameters = sender.getParameters();
    parameters.degradationPreference = 'maintain-resolution';
    await sender.setParameters(parameters).catch((e) => fail('setParameters', e));
  }
}

async function setUp() {
  pc = new RTCPeerConnection({iceServers: []});
  pc.onicecandidate = (e) => {
    if (e.candidate) {
      seen.candidatesSent++;
      if (/ [0-9a-f-]+\.local /i.test(e.candidate.candidate)) seen.mdnsCandidates++;
    }
    // A null candidate is the end of candidates, which the protocol passes on as "candidate":null.
    send({type: 'candidate', candidate: e.candidate, name: peer});
  };
  pc.onconnectionstatechange = () => report({event: 'connection', state: pc.connectionState});
  pc.ontrack = (e) => {
    if (e.track.kind === 'audio') {
      // Played through an element of its own, unmuted: Chromium decodes received audio only while
      // something pulls it, and the muted <video> did not always (totalSamplesReceived stayed 0).
      const audio = document.getElementById('remote-audio');
      audio.srcObject = new MediaStream([e.track]);
      audio.play().catch((err) => fail('audio-play', err));
      return;
    }
    if (e.track.kind !== 'video') return;
    const video = document.getElementById('remote');
    video.srcObject = new MediaStream([e.track]);
    video.play().catch(() => {});  // muted autoplay; frames are counted from getStats anyway
    countPresentedFrames(video);
  };
  pc.ondatachannel = (e) => useChannel(e.channel);
  const video = {width: wantWidth, height: wantHeight};
  if (wantFps) video.frameRate = {ideal: wantFps};
  const stream = await navigator.mediaDevices.getUserMedia({audio: true, video});
  for (const track of stream.getTracks()) pc.addTrack(track, stream);
  if (params.get('size') || wantCodec) {
    const videoTrack = stream.getVideoTracks()[0];
    report({event: 'media', camera: videoTrack ? videoTrack.getSettings() : null, codec: wantCodec});
  }
  pollTimer = setInterval(() => poll().catch((e) => fail('stats', e)), 200);
  if (reportStats) setInterval(() => statsLine().catch((e) => fail('stats-line', e)), 1000);
}

// stats=1: the receive side's cumulative counters as getStats has them (webrtc-stats names), and
// the send side's target and estimate, once a second. Readers take differences over a window.
async function statsLine() {
  if (!pc || finished) return;
  const stats = await pc.getStats();
  const line = {event: 'stats', t: wallNow(), connection: pc.connectionState,
                firstPresented: firstPresentedSinceReport, framesPresented: seen.framesPresented};
  firstPresentedSinceReport = null;
  const pick = (s, names, prefix) => { for (const n of names) if (s[n] !== undefined) line[prefix + n] = s[n]; };
  stats.forEach((s) => {
    if (s.type === 'inbound-rtp' && s.kind === 'video') {
      pick(s, ['framesDecoded', 'framesReceived', 'framesDropped', 'freezeCount', 'totalFreezesDuration',
               'frameWidth', 'frameHeight', 'framesPerSecond', 'jitterBufferDelay', 'jitterBufferEmittedCount',
               'bytesReceived', 'packetsReceived', 'packetsLost', 'nackCount', 'pliCount'], 'video.');
    } else if (s.type === 'inbound-rtp' && s.kind === 'audio') {
      pick(s, ['concealedSamples', 'totalSamplesReceived', 'bytesReceived', 'packetsReceived', 'packetsLost'],
           'audio.');
    } else if (s.type === 'outbound-rtp' && s.kind === 'video') {
      pick(s, ['targetBitrate', 'bytesSent', 'frameWidth', 'frameHeight', 'framesPerSecond',
               'qualityLimitationReason'], 'out.');
    } else if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') {
      pick(s, ['availableOutgoingBitrate', 'currentRoundTripTime'], 'pair.');
    }
  });
  report(line);
}

async function call() {
  report({event: 'call-start', t: wallNow()});
  await setUp();
  preferCodec();
  await keepResolution();
  useChannel(pc.createDataChannel('chat'));
  await pc.setLocalDescription(await pc.createOffer());
  send({type: 'offer', offer: {type: 'offer', sdp: pc.localDescription.sdp}, name: peer});
}

async function answer(offer) {
  await setUp();
  await pc.setRemoteDescription(offer);
  await addEarlyCandidates();
  preferCodec();
  await keepResolution();
  await pc.setLocalDescription(await pc.createAnswer());
  send({type: 'answer', answer: {type: 'answer', sdp: pc.localDescription.sdp}, name: peer});
}

async function poll() {
  if (!pc || finished) return;
  const stats = await pc.getStats();
  const codecs = new Map();
  let bytes = 0;
  stats.forEach((s) => { if (s.type === 'codec') codecs.set(s.id, s.mimeType); });
  stats.forEach((s) => {
    if (s.type !== 'inbound-rtp') return;
    bytes += s.bytesReceived || 0;
    if (s.kind === 'video') {
      seen.frames = s.framesDecoded || 0;
      seen.width = s.frameWidth || 0;
      seen.height = s.frameHeight || 0;
      seen.fps = s.framesPerSecond || 0;
      seen.videoCodec = codecs.get(s.codecId) || seen.videoCodec;
    } else if (s.kind === 'audio') {
      seen.audioPackets = s.packetsReceived || 0;
      seen.audioSamples = s.totalSamplesReceived || 0;
      seen.audioCodec = codecs.get(s.codecId) || seen.audioCodec;
    }
  });
  const now = wallNow();
  if (lastPoll) seen.receiveKbps = Math.round((bytes - lastPoll.bytes) * 8 / (now - lastPoll.t));
  lastPoll = {t: now, bytes};
  if (!reported && seen.frames >= kFramesWanted && seen.audioPackets >= kAudioPacketsWanted &&
      seen.audioSamples > 0 && seen.chat !== null) {
    reported = true;
    report(Object.assign({event: 'received'}, seen));
    if (callee) {  // the caller hangs up once it has seen everything; the answerer waits
      if (holdMs > 0) {
        setTimeout(() => { send({type: 'leave', name: peer}); finish('hung-up', null); }, holdMs);
      } else if (closeFirst) {
        finish('hung-up', null);
        send({type: 'leave', name: peer});
      } else {
        send({type: 'leave', name: peer});
        finish('hung-up', null);
      }
    }
  }
}

function finish(status, reason) {
  if (finished) return;
  finished = true;
  clearInterval(pollTimer);
  if (pc) pc.close();
  report(Object.assign({event: 'final', status, reason, received: reported}, seen));
}

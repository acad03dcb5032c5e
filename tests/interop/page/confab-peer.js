// The browser side of the interop tests: a plain RTCPeerConnection and the seed protocol, nothing
// Confab-specific. Every line the tests read is console.log("CONFAB-RESULT " + JSON):
//   {"event":"logged-in"}
//   {"event":"received", ...counts}   >= 30 video frames decoded, audio, and the peer's chat seen
//   {"event":"final","status":"hung-up"|"peer-left", ...}   the call is over
//   {"event":"error"|"server-error"|"connection", ...}       diagnostics
'use strict';

const params = new URLSearchParams(location.search);
const me = params.get('name');
const callee = params.get('call');  // null when answering
const chatText = params.get('chat') || 'hello from the browser';
// hangup=close-first: close the RTCPeerConnection before sending leave, as many pages do; the
// peer then sees the connection go before it hears why.
const closeFirst = params.get('hangup') === 'close-first';
const kFramesWanted = 30;
const kAudioPacketsWanted = 25;

let peer = callee;
let pc = null;
let channel = null;
let pollTimer = null;
let reported = false;
let finished = false;
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

function countPresentedFrames(video) {
  if (!video.requestVideoFrameCallback) return;
  const next = () => video.requestVideoFrameCallback(() => { seen.framesPresented++; next(); });
  next();
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
    if (e.track.kind !== 'video') return;
    const video = document.getElementById('remote');
    video.srcObject = e.streams[0] || new MediaStream([e.track]);
    video.play().catch(() => {});  // muted autoplay; frames are counted from getStats anyway
    countPresentedFrames(video);
  };
  pc.ondatachannel = (e) => useChannel(e.channel);
  const stream = await navigator.mediaDevices.getUserMedia({audio: true, video: {width: 320, height: 240}});
  for (const track of stream.getTracks()) pc.addTrack(track, stream);
  pollTimer = setInterval(() => poll().catch((e) => fail('stats', e)), 200);
}

async function call() {
  await setUp();
  useChannel(pc.createDataChannel('chat'));
  await pc.setLocalDescription(await pc.createOffer());
  send({type: 'offer', offer: {type: 'offer', sdp: pc.localDescription.sdp}, name: peer});
}

async function answer(offer) {
  await setUp();
  await pc.setRemoteDescription(offer);
  await addEarlyCandidates();
  await pc.setLocalDescription(await pc.createAnswer());
  send({type: 'answer', answer: {type: 'answer', sdp: pc.localDescription.sdp}, name: peer});
}

async function poll() {
  if (!pc || finished) return;
  const stats = await pc.getStats();
  const codecs = new Map();
  stats.forEach((s) => { if (s.type === 'codec') codecs.set(s.id, s.mimeType); });
  stats.forEach((s) => {
    if (s.type !== 'inbound-rtp') return;
    if (s.kind === 'video') {
      seen.frames = s.framesDecoded || 0;
      seen.videoCodec = codecs.get(s.codecId) || seen.videoCodec;
    } else if (s.kind === 'audio') {
      seen.audioPackets = s.packetsReceived || 0;
      seen.audioSamples = s.totalSamplesReceived || 0;
      seen.audioCodec = codecs.get(s.codecId) || seen.audioCodec;
    }
  });
  if (!reported && seen.frames >= kFramesWanted && seen.audioPackets >= kAudioPacketsWanted &&
      seen.audioSamples > 0 && seen.chat !== null) {
    reported = true;
    report(Object.assign({event: 'received'}, seen));
    if (callee) {  // the caller hangs up once it has seen everything; the answerer waits
      if (closeFirst) {
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

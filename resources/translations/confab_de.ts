<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de" sourcelanguage="en">
<context>
    <name>confab</name>
    <message>
        <source>No call</source>
        <translation>Kein Anruf</translation>
    </message>
    <message>
        <source>Calling…</source>
        <translation>Anruf läuft…</translation>
    </message>
    <message>
        <source>Ringing…</source>
        <translation>Es klingelt…</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Verbindung wird aufgebaut…</translation>
    </message>
    <message>
        <source>Connected</source>
        <translation>Verbunden</translation>
    </message>
    <message>
        <source>Call ended</source>
        <translation>Anruf beendet</translation>
    </message>
    <message>
        <source>You hung up.</source>
        <translation>Sie haben aufgelegt.</translation>
    </message>
    <message>
        <source>%1 hung up.</source>
        <translation>%1 hat aufgelegt.</translation>
    </message>
    <message>
        <source>%1 declined the call.</source>
        <translation>%1 hat den Anruf abgelehnt.</translation>
    </message>
    <message>
        <source>You declined the call from %1.</source>
        <translation>Sie haben den Anruf von %1 abgelehnt.</translation>
    </message>
    <message>
        <source>%1 is busy in another call.</source>
        <translation>%1 ist in einem anderen Gespräch.</translation>
    </message>
    <message>
        <source>%1 cancelled the call.</source>
        <translation>%1 hat den Anruf abgebrochen.</translation>
    </message>
    <message>
        <source>%1 did not answer.</source>
        <translation>%1 hat nicht geantwortet.</translation>
    </message>
    <message>
        <source>%1 is not online.</source>
        <translation>%1 ist nicht online.</translation>
    </message>
    <message>
        <source>The connection to %1 failed.</source>
        <translation>Die Verbindung zu %1 ist fehlgeschlagen.</translation>
    </message>
    <message>
        <source>There is no network path between you and %1 — a TURN server is needed.</source>
        <translation>Es gibt keinen Netzwerkweg zwischen Ihnen und %1 – ein TURN-Server wird benötigt.</translation>
    </message>
    <message>
        <source>%1 vanished: their connection is gone.</source>
        <translation>%1 ist verschwunden: die Verbindung ist weg.</translation>
    </message>
    <message>
        <source>The call&apos;s audio or video failed on this computer.</source>
        <translation>Ton oder Bild des Anrufs sind auf diesem Computer ausgefallen.</translation>
    </message>
    <message>
        <source>The connection to the server was lost before the call connected.</source>
        <translation>Die Verbindung zum Server brach ab, bevor der Anruf verbunden war.</translation>
    </message>
    <message>
        <source>The connection to %1 was lost: your audio and video no longer got through to them.</source>
        <translation>Die Verbindung zu %1 ist abgebrochen: Ihr Ton und Bild kamen nicht mehr bei der anderen Seite an.</translation>
    </message>
    <message>
        <source>The message is %1 bytes; the limit is %2 bytes.</source>
        <translation>Die Nachricht ist %1 Bytes lang; erlaubt sind %2 Bytes.</translation>
    </message>
    <message>
        <source>The message nests deeper than %1 levels.</source>
        <translation>Die Nachricht ist tiefer als %1 Ebenen verschachtelt.</translation>
    </message>
    <message>
        <source>The message is not valid JSON: %1</source>
        <translation>Die Nachricht ist kein gültiges JSON: %1</translation>
    </message>
    <message>
        <source>The message is empty.</source>
        <translation>Die Nachricht ist leer.</translation>
    </message>
    <message>
        <source>The message contains \u0000, \u001f or an unpaired surrogate in its text, which cannot be passed on unchanged.</source>
        <translation>Die Nachricht enthält \u0000, \u001f oder ein einzelnes Surrogat im Text, was nicht unverändert weitergegeben werden kann.</translation>
    </message>
    <message>
        <source>The message is not a JSON object.</source>
        <translation>Die Nachricht ist kein JSON-Objekt.</translation>
    </message>
    <message>
        <source>The name is longer than %1 characters.</source>
        <translation>Der Name ist länger als %1 Zeichen.</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a Redis URL: %2</source>
        <translation>„%1“ ist keine Redis-URL: %2</translation>
    </message>
    <message>
        <source>write it as redis://host:port (or redis://:password@host:port/db).</source>
        <translation>schreiben Sie sie als redis://host:port (oder redis://:passwort@host:port/db).</translation>
    </message>
    <message>
        <source>it names no host.</source>
        <translation>sie nennt keinen Host.</translation>
    </message>
    <message>
        <source>the port must be from 1 to 65535.</source>
        <translation>der Port muss zwischen 1 und 65535 liegen.</translation>
    </message>
    <message>
        <source>a user needs a password (redis://user:password@host).</source>
        <translation>ein Benutzer braucht ein Passwort (redis://benutzer:passwort@host).</translation>
    </message>
    <message>
        <source>the path must be a database number, like /0.</source>
        <translation>der Pfad muss eine Datenbanknummer sein, etwa /0.</translation>
    </message>
    <message>
        <source>it must have no query or fragment.</source>
        <translation>sie darf weder Abfrage noch Fragment haben.</translation>
    </message>
    <message>
        <source>It is not signed by an authority this computer trusts (for example, it is self-signed).</source>
        <translation>Es ist von keiner Stelle signiert, der dieser Computer vertraut (zum Beispiel selbst signiert).</translation>
    </message>
    <message>
        <source>It is not made out to the address you are connecting to.</source>
        <translation>Es ist nicht auf die Adresse ausgestellt, zu der Sie sich verbinden.</translation>
    </message>
    <message>
        <source>It is not valid yet.</source>
        <translation>Es ist noch nicht gültig.</translation>
    </message>
    <message>
        <source>It has expired.</source>
        <translation>Es ist abgelaufen.</translation>
    </message>
    <message>
        <source>It has been revoked.</source>
        <translation>Es wurde widerrufen.</translation>
    </message>
    <message>
        <source>It uses an insecure algorithm.</source>
        <translation>Es verwendet einen unsicheren Algorithmus.</translation>
    </message>
    <message>
        <source>It could not be verified.</source>
        <translation>Es konnte nicht überprüft werden.</translation>
    </message>
    <message>
        <source>Too much sent to you that you did not read.</source>
        <translation>Zu viel an Sie gesendet, das Sie nicht gelesen haben.</translation>
    </message>
    <message>
        <source>Too much data without a whole message.</source>
        <translation>Zu viele Daten ohne eine vollständige Nachricht.</translation>
    </message>
    <message>
        <source>Reconnecting…</source>
        <translation>Verbindung wird wiederhergestellt…</translation>
    </message>
    <message>
        <source>The connection to %1 was lost and could not be restored in time.</source>
        <translation>Die Verbindung zu %1 ist abgebrochen und konnte nicht rechtzeitig wiederhergestellt werden.</translation>
    </message>
</context>
<context>
    <name>confab::CallController</name>
    <message>
        <source>You are already in a call with %1.</source>
        <translation>Sie sind bereits in einem Gespräch mit %1.</translation>
    </message>
    <message>
        <source>You are not signed in to a server.</source>
        <translation>Sie sind bei keinem Server angemeldet.</translation>
    </message>
    <message>
        <source>You cannot call yourself.</source>
        <translation>Sie können sich nicht selbst anrufen.</translation>
    </message>
    <message>
        <source>There is no incoming call to answer.</source>
        <translation>Es gibt keinen eingehenden Anruf zum Annehmen.</translation>
    </message>
    <message>
        <source>Screen sharing needs a call.</source>
        <translation>Bildschirmfreigabe braucht einen Anruf.</translation>
    </message>
    <message>
        <source>Sharing %1.</source>
        <translation>%1 wird geteilt.</translation>
    </message>
    <message>
        <source>Screen sharing stopped.</source>
        <translation>Bildschirmfreigabe beendet.</translation>
    </message>
    <message>
        <source>The call was re-established with a new safety code: %1. Compare it again with %2.</source>
        <translation>Der Anruf wurde mit einem neuen Sicherheitscode wiederhergestellt: %1. Vergleichen Sie ihn erneut mit %2.</translation>
    </message>
    <message>
        <source>%1 re-establishes the call.</source>
        <translation>%1 stellt den Anruf wieder her.</translation>
    </message>
</context>
<context>
    <name>confab::CallSession</name>
    <message>
        <source>No media from the other side for %1 seconds.</source>
        <translation>Seit %1 Sekunden keine Medien von der anderen Seite.</translation>
    </message>
    <message>
        <source>No connection after %1 seconds.</source>
        <translation>Nach %1 Sekunden keine Verbindung.</translation>
    </message>
    <message>
        <source>This computer has no network connection for the call: no network interface is up.</source>
        <translation>Dieser Computer hat keine Netzwerkverbindung für den Anruf: keine Netzwerkschnittstelle ist aktiv.</translation>
    </message>
    <message>
        <source>The call offer could not be read.</source>
        <translation>Das Anrufangebot konnte nicht gelesen werden.</translation>
    </message>
    <message>
        <source>The call&apos;s media pipeline could not start.</source>
        <translation>Die Medien-Pipeline des Anrufs konnte nicht starten.</translation>
    </message>
    <message>
        <source>WebRTC could not create the %1.</source>
        <translation>WebRTC konnte %1 nicht erzeugen.</translation>
    </message>
    <message>
        <source>The call answer could not be read.</source>
        <translation>Die Antwort auf den Anruf konnte nicht gelesen werden.</translation>
    </message>
    <message>
        <source>ICE or DTLS failed.</source>
        <translation>ICE oder DTLS ist fehlgeschlagen.</translation>
    </message>
    <message>
        <source>There is no call to share the screen in.</source>
        <translation>Es gibt keinen Anruf, in dem der Bildschirm geteilt werden könnte.</translation>
    </message>
    <message>
        <source>The shared screen stopped sending; sharing has stopped.</source>
        <translation>Der geteilte Bildschirm sendet nicht mehr; die Freigabe wurde beendet.</translation>
    </message>
    <message>
        <source>The shared window was closed; sharing has stopped and the call goes on.</source>
        <translation>Das geteilte Fenster wurde geschlossen; die Freigabe ist beendet, der Anruf geht weiter.</translation>
    </message>
    <message>
        <source>Screen sharing stopped: %1</source>
        <translation>Bildschirmfreigabe beendet: %1</translation>
    </message>
    <message>
        <source>This computer&apos;s address %1 went away.</source>
        <translation>Die Adresse %1 dieses Computers ist weggefallen.</translation>
    </message>
    <message>
        <source>ICE or DTLS failed during the call.</source>
        <translation>ICE oder DTLS ist während des Anrufs fehlgeschlagen.</translation>
    </message>
</context>
<context>
    <name>confab::ClusterNode</name>
    <message>
        <source>own heartbeats not heard for %1 ms</source>
        <translation>eigene Lebenszeichen seit %1 ms nicht gehört</translation>
    </message>
</context>
<context>
    <name>confab::FileSource</name>
    <message>
        <source>Cannot read %1.</source>
        <translation>%1 kann nicht gelesen werden.</translation>
    </message>
    <message>
        <source>Cannot build a player for %1: %2</source>
        <translation>Für %1 kann kein Abspieler gebaut werden: %2</translation>
    </message>
    <message>
        <source>it did not start within %1 s</source>
        <translation>es ist nicht innerhalb von %1 s gestartet</translation>
    </message>
    <message>
        <source>it has no video that can be decoded</source>
        <translation>es enthält kein dekodierbares Video</translation>
    </message>
    <message>
        <source>it has no audio that can be decoded</source>
        <translation>es enthält keinen dekodierbaren Ton</translation>
    </message>
    <message>
        <source>Cannot play %1: %2.</source>
        <translation>%1 kann nicht abgespielt werden: %2.</translation>
    </message>
    <message>
        <source>Cannot play %1: no memory for its frames.</source>
        <translation>%1 kann nicht abgespielt werden: kein Speicher für seine Bilder.</translation>
    </message>
</context>
<context>
    <name>confab::HeadlessPeer</name>
    <message>
        <source>Sign-in refused: %1</source>
        <translation>Anmeldung abgelehnt: %1</translation>
    </message>
    <message>
        <source>The server at %1 presented a certificate this computer does not trust (SHA-256 %2). If that is the fingerprint the server&apos;s operator gives, run again with --trust-certificate %2 to trust this certificate, and only it, for this run.</source>
        <translation>Der Server unter %1 hat ein Zertifikat vorgelegt, dem dieser Computer nicht vertraut (SHA-256 %2). Wenn das der Fingerabdruck ist, den der Betreiber des Servers nennt, starten Sie erneut mit --trust-certificate %2, um diesem Zertifikat, und nur diesem, für diesen Lauf zu vertrauen.</translation>
    </message>
    <message>
        <source>The server at %1 presented a certificate (SHA-256 %2) that is not one named by --trust-certificate. Someone may be impersonating it, or its certificate changed; confab-call did not connect.</source>
        <translation>Der Server unter %1 hat ein Zertifikat (SHA-256 %2) vorgelegt, das nicht mit --trust-certificate genannt wurde. Jemand gibt sich womöglich als der Server aus, oder sein Zertifikat hat sich geändert; confab-call hat sich nicht verbunden.</translation>
    </message>
    <message>
        <source>Safety code with %1: %2 (the same on both sides means no one is in between).</source>
        <translation>Sicherheitscode mit %1: %2 (derselbe auf beiden Seiten heißt: niemand sitzt dazwischen).</translation>
    </message>
    <message>
        <source>First video frame from %1 after %2 ms.</source>
        <translation>Erstes Videobild von %1 nach %2 ms.</translation>
    </message>
    <message>
        <source>First audio from %1 after %2 ms.</source>
        <translation>Erster Ton von %1 nach %2 ms.</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>send %1 kb/s, receive %2 kb/s, rtt %3 ms, loss %4%, %5x%6 at %7 fps, %8, path %9, %10 freezes (%11 s), audio concealed %12%, estimate %13 kb/s</source>
        <translation>senden %1 kb/s, empfangen %2 kb/s, RTT %3 ms, Verlust %4%, %5x%6 bei %7 fps, %8, Weg %9, %10 Standbilder (%11 s), Ton verdeckt %12%, Schätzung %13 kb/s</translation>
    </message>
    <message>
        <source>Signed in to %1 as %2.</source>
        <translation>Bei %1 als %2 angemeldet.</translation>
    </message>
    <message>
        <source>glass-to-glass: %1 frames, p50 %2 ms, max %3 ms, %4 without a readable stamp</source>
        <translation>Glas zu Glas: %1 Bilder, p50 %2 ms, max. %3 ms, %4 ohne lesbaren Stempel</translation>
    </message>
</context>
<context>
    <name>confab::LocalMedia</name>
    <message>
        <source>No microphone was found; sending silence.</source>
        <translation>Kein Mikrofon gefunden; es wird Stille gesendet.</translation>
    </message>
    <message>
        <source>%1 Sending a test tone instead.</source>
        <translation>%1 Stattdessen wird ein Testton gesendet.</translation>
    </message>
    <message>
        <source>No camera was found; sending a test pattern.</source>
        <translation>Keine Kamera gefunden; es wird ein Testbild gesendet.</translation>
    </message>
    <message>
        <source>%1 Sending a test pattern instead.</source>
        <translation>%1 Stattdessen wird ein Testbild gesendet.</translation>
    </message>
    <message>
        <source>Cannot build the %1 sender: %2</source>
        <translation>Der Sender für %1 kann nicht gebaut werden: %2</translation>
    </message>
    <message>
        <source>video</source>
        <translation>Video</translation>
    </message>
    <message>
        <source>audio</source>
        <translation>Ton</translation>
    </message>
    <message>
        <source>Cannot connect the %1 sender to WebRTC.</source>
        <translation>Der Sender für %1 kann nicht mit WebRTC verbunden werden.</translation>
    </message>
    <message>
        <source>Echo cancellation is not available here (the webrtcdsp element of gstreamer1.0-plugins-bad is missing); the call goes on without it.</source>
        <translation>Echounterdrückung ist hier nicht verfügbar (das Element webrtcdsp aus gstreamer1.0-plugins-bad fehlt); der Anruf geht ohne sie weiter.</translation>
    </message>
    <message>
        <source>This call sends no video, so there is nothing a screen could replace.</source>
        <translation>Dieser Anruf sendet kein Video, also gibt es nichts, was ein Bildschirm ersetzen könnte.</translation>
    </message>
</context>
<context>
    <name>confab::RedisConnection</name>
    <message>
        <source>out of memory</source>
        <translation>kein Speicher mehr</translation>
    </message>
    <message>
        <source>closed</source>
        <translation>geschlossen</translation>
    </message>
    <message>
        <source>no answer from Redis for %1 ms</source>
        <translation>seit %1 ms keine Antwort von Redis</translation>
    </message>
</context>
<context>
    <name>confab::RemoteMedia</name>
    <message>
        <source>The other side sent media we cannot decode (%1).</source>
        <translation>Die andere Seite sendet Medien, die wir nicht dekodieren können (%1).</translation>
    </message>
</context>
<context>
    <name>confab::ScreenCastPortal</name>
    <message>
        <source>This desktop offers no screen sharing to apps (the xdg-desktop-portal ScreenCast service is missing).</source>
        <translation>Diese Arbeitsumgebung bietet Programmen keine Bildschirmfreigabe an (der ScreenCast-Dienst von xdg-desktop-portal fehlt).</translation>
    </message>
    <message>
        <source>Screen sharing was cancelled.</source>
        <translation>Die Bildschirmfreigabe wurde abgebrochen.</translation>
    </message>
    <message>
        <source>The desktop refused to share the screen.</source>
        <translation>Die Arbeitsumgebung hat die Bildschirmfreigabe verweigert.</translation>
    </message>
    <message>
        <source>Screen sharing could not start.</source>
        <translation>Die Bildschirmfreigabe konnte nicht starten.</translation>
    </message>
</context>
<context>
    <name>confab::ScreenShareBranch</name>
    <message>
        <source>Screen sharing is not available: %1</source>
        <translation>Bildschirmfreigabe ist nicht verfügbar: %1</translation>
    </message>
    <message>
        <source>Screen sharing could not be connected to the call&apos;s video.</source>
        <translation>Die Bildschirmfreigabe konnte nicht mit dem Video des Anrufs verbunden werden.</translation>
    </message>
    <message>
        <source>The screen chosen in the desktop&apos;s dialog could not be captured.</source>
        <translation>Der im Dialog der Arbeitsumgebung gewählte Bildschirm konnte nicht aufgenommen werden.</translation>
    </message>
    <message>
        <source>The screen could not be captured (no X11 display?).</source>
        <translation>Der Bildschirm konnte nicht aufgenommen werden (kein X11-Display?).</translation>
    </message>
    <message>
        <source>the screen chosen in the desktop&apos;s dialog could not be captured.</source>
        <translation>der im Dialog der Arbeitsumgebung gewählte Bildschirm konnte nicht aufgenommen werden.</translation>
    </message>
    <message>
        <source>the screen capture did not start.</source>
        <translation>die Bildschirmaufnahme ist nicht gestartet.</translation>
    </message>
</context>
<context>
    <name>confab::ScreenSource</name>
    <message>
        <source>the whole screen</source>
        <translation>der ganze Bildschirm</translation>
    </message>
    <message>
        <source>a window</source>
        <translation>ein Fenster</translation>
    </message>
    <message>
        <source>the window “%1”</source>
        <translation>das Fenster „%1“</translation>
    </message>
    <message>
        <source>the screen or window you chose</source>
        <translation>der gewählte Bildschirm oder das gewählte Fenster</translation>
    </message>
</context>
<context>
    <name>confab::SharedWindowWatch</name>
    <message>
        <source>There is no X11 display to share.</source>
        <translation>Es gibt kein X11-Display zum Teilen.</translation>
    </message>
    <message>
        <source>The window to share (0x%1) does not exist.</source>
        <translation>Das zu teilende Fenster (0x%1) existiert nicht.</translation>
    </message>
</context>
<context>
    <name>confab::SignalingClient</name>
    <message>
        <source>Offline</source>
        <translation>Offline</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Verbindung wird aufgebaut…</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>Anmeldung läuft…</translation>
    </message>
    <message>
        <source>Online</source>
        <translation>Online</translation>
    </message>
    <message>
        <source>Reconnecting…</source>
        <translation>Verbindung wird wiederhergestellt…</translation>
    </message>
    <message>
        <source>The server address must start with ws:// or wss://, not &quot;%1&quot;.</source>
        <translation>Die Serveradresse muss mit ws:// oder wss:// beginnen, nicht mit „%1“.</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a valid server address.</source>
        <translation>„%1“ ist keine gültige Serveradresse.</translation>
    </message>
    <message>
        <source>The server&apos;s certificate is not trusted (%1).</source>
        <translation>Dem Zertifikat des Servers wird nicht vertraut (%1).</translation>
    </message>
    <message>
        <source>Cannot reach the server at %1: %2</source>
        <translation>Der Server unter %1 ist nicht erreichbar: %2</translation>
    </message>
    <message>
        <source>The server at %1 presented a different certificate from the one you trusted (SHA-256 %2). Someone may be impersonating it; Confab did not connect.</source>
        <translation>Der Server unter %1 hat ein anderes Zertifikat vorgelegt als das, dem Sie vertraut haben (SHA-256 %2). Jemand gibt sich womöglich als der Server aus; Confab hat sich nicht verbunden.</translation>
    </message>
    <message>
        <source>The server at %1 presented a certificate this computer does not trust (SHA-256 %2); Confab did not connect.</source>
        <translation>Der Server unter %1 hat ein Zertifikat vorgelegt, dem dieser Computer nicht vertraut (SHA-256 %2); Confab hat sich nicht verbunden.</translation>
    </message>
    <message>
        <source>The connection to the server was lost.</source>
        <translation>Die Verbindung zum Server ist abgebrochen.</translation>
    </message>
    <message>
        <source>The server stopped answering.</source>
        <translation>Der Server antwortet nicht mehr.</translation>
    </message>
    <message>
        <source>The server refused the name %1.</source>
        <translation>Der Server hat den Namen %1 abgelehnt.</translation>
    </message>
    <message>
        <source>This computer&apos;s network changed.</source>
        <translation>Das Netzwerk dieses Computers hat sich geändert.</translation>
    </message>
</context>
<context>
    <name>confab::SignalingServer</name>
    <message>
        <source>A TURN secret needs the TURN server&apos;s address too (--turn-url turn:host:port).</source>
        <translation>Ein TURN-Geheimnis braucht auch die Adresse des TURN-Servers (--turn-url turn:host:port).</translation>
    </message>
    <message>
        <source>Cannot initialise libsodium.</source>
        <translation>libsodium kann nicht initialisiert werden.</translation>
    </message>
    <message>
        <source>Both a TLS certificate and a TLS key are needed for wss://.</source>
        <translation>Für wss:// werden ein TLS-Zertifikat und ein TLS-Schlüssel benötigt.</translation>
    </message>
    <message>
        <source>Cannot load the TLS certificate: %1</source>
        <translation>Das TLS-Zertifikat kann nicht geladen werden: %1</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not an IP address to listen on.</source>
        <translation>„%1“ ist keine IP-Adresse, auf der gelauscht werden kann.</translation>
    </message>
    <message>
        <source>Cannot listen on %1 port %2: %3</source>
        <translation>Auf %1 Port %2 kann nicht gelauscht werden: %3</translation>
    </message>
    <message>
        <source>Messages must be JSON text frames, not binary.</source>
        <translation>Nachrichten müssen JSON-Textframes sein, keine Binärdaten.</translation>
    </message>
    <message>
        <source>Sign in within %1 seconds of connecting.</source>
        <translation>Melden Sie sich innerhalb von %1 Sekunden nach dem Verbinden an.</translation>
    </message>
    <message>
        <source>Not signed in in time.</source>
        <translation>Nicht rechtzeitig angemeldet.</translation>
    </message>
    <message>
        <source>Too many messages; slow down (at most %1 a second, %2 at once).</source>
        <translation>Zu viele Nachrichten; bitte langsamer (höchstens %1 pro Sekunde, %2 auf einmal).</translation>
    </message>
    <message>
        <source>Too many messages.</source>
        <translation>Zu viele Nachrichten.</translation>
    </message>
    <message>
        <source>The message names a member twice.</source>
        <translation>Die Nachricht nennt ein Feld zweimal.</translation>
    </message>
    <message>
        <source>The message has no &quot;type&quot;.</source>
        <translation>Die Nachricht hat keinen „type“.</translation>
    </message>
    <message>
        <source>You are already signed in as %1.</source>
        <translation>Sie sind bereits als %1 angemeldet.</translation>
    </message>
    <message>
        <source>The server does not accept login replies.</source>
        <translation>Der Server nimmt keine Anmeldeantworten an.</translation>
    </message>
    <message>
        <source>The server does not accept &quot;%1&quot; messages.</source>
        <translation>Der Server nimmt keine „%1“-Nachrichten an.</translation>
    </message>
    <message>
        <source>Too many failed sign-ins.</source>
        <translation>Zu viele fehlgeschlagene Anmeldungen.</translation>
    </message>
    <message>
        <source>Your previous sign-in is still being checked.</source>
        <translation>Ihre vorige Anmeldung wird noch geprüft.</translation>
    </message>
    <message>
        <source>This server needs its access token to sign in.</source>
        <translation>Dieser Server braucht zur Anmeldung sein Zugangstoken.</translation>
    </message>
    <message>
        <source>The access token is wrong.</source>
        <translation>Das Zugangstoken ist falsch.</translation>
    </message>
    <message>
        <source>The name %1 is already taken.</source>
        <translation>Der Name %1 ist bereits vergeben.</translation>
    </message>
    <message>
        <source>This server needs a password to sign in as %1.</source>
        <translation>Dieser Server braucht ein Passwort, um sich als %1 anzumelden.</translation>
    </message>
    <message>
        <source>A sign-in from your address is being checked; try again in a moment.</source>
        <translation>Eine Anmeldung von Ihrer Adresse wird gerade geprüft; versuchen Sie es gleich noch einmal.</translation>
    </message>
    <message numerus="yes">
        <source>Too many wrong passwords from your address; try again in %n second(s).</source>
        <translation>
            <numerusform>Zu viele falsche Passwörter von Ihrer Adresse; versuchen Sie es in %n Sekunde erneut.</numerusform>
            <numerusform>Zu viele falsche Passwörter von Ihrer Adresse; versuchen Sie es in %n Sekunden erneut.</numerusform>
        </translation>
    </message>
    <message>
        <source>The server is busy checking other sign-ins; try again shortly.</source>
        <translation>Der Server prüft gerade andere Anmeldungen; versuchen Sie es gleich noch einmal.</translation>
    </message>
    <message>
        <source>The name or password is wrong.</source>
        <translation>Name oder Passwort ist falsch.</translation>
    </message>
    <message>
        <source>The server cannot reach the rest of its cluster just now; try again shortly.</source>
        <translation>Der Server erreicht den Rest seines Clusters gerade nicht; versuchen Sie es gleich noch einmal.</translation>
    </message>
    <message>
        <source>Sign in before sending &quot;%1&quot;.</source>
        <translation>Melden Sie sich an, bevor Sie „%1“ senden.</translation>
    </message>
    <message>
        <source>In %1, &quot;name&quot; must be text.</source>
        <translation>In %1 muss „name“ Text sein.</translation>
    </message>
    <message>
        <source>The session description is longer than %1 bytes.</source>
        <translation>Die Sitzungsbeschreibung ist länger als %1 Bytes.</translation>
    </message>
    <message>
        <source>In candidate, &quot;candidate&quot; must be an object.</source>
        <translation>In candidate muss „candidate“ ein Objekt sein.</translation>
    </message>
    <message>
        <source>The candidate is longer than %1 bytes.</source>
        <translation>Der Kandidat ist länger als %1 Bytes.</translation>
    </message>
    <message>
        <source>%1 is not online.</source>
        <translation>%1 ist nicht online.</translation>
    </message>
    <message>
        <source>You cannot send &quot;%1&quot; to yourself.</source>
        <translation>Sie können „%1“ nicht an sich selbst senden.</translation>
    </message>
    <message>
        <source>The name %1 was taken on another server of this cluster while they could not reach each other; sign in again.</source>
        <translation>Der Name %1 wurde auf einem anderen Server dieses Clusters vergeben, während sie einander nicht erreichten; melden Sie sich erneut an.</translation>
    </message>
    <message>
        <source>Name taken elsewhere.</source>
        <translation>Name anderswo vergeben.</translation>
    </message>
    <message>
        <source>No answer to keep-alive pings.</source>
        <translation>Keine Antwort auf Keep-alive-Pings.</translation>
    </message>
    <message>
        <source>Signed in again from another connection.</source>
        <translation>Über eine andere Verbindung erneut angemeldet.</translation>
    </message>
</context>
<context>
    <name>confab::VersionOption</name>
    <message>
        <source>Displays version information.</source>
        <translation>Zeigt die Versionsinformationen an.</translation>
    </message>
    <message>
        <source>Copyright (C) 2026 Confab maintainers.
License GPL-3.0-or-later: GNU GPL version 3 or later &lt;https://www.gnu.org/licenses/gpl-3.0.html&gt;.
This is free software: you are free to change and redistribute it.
There is NO WARRANTY, to the extent permitted by law.
</source>
        <translation>Copyright (C) 2026 Confab-Betreuer.
Lizenz GPL-3.0-or-later: GNU GPL Version 3 oder neuer &lt;https://www.gnu.org/licenses/gpl-3.0.html&gt;.
Dies ist freie Software: Sie dürfen sie ändern und weitergeben.
Es gibt KEINE GARANTIE, soweit gesetzlich zulässig.
</translation>
    </message>
</context>
<context>
    <name>confab::WebRtcBinSetup</name>
    <message>
        <source>WebRTC support is missing: install gstreamer1.0-plugins-bad and gstreamer1.0-nice.</source>
        <translation>WebRTC-Unterstützung fehlt: installieren Sie gstreamer1.0-plugins-bad und gstreamer1.0-nice.</translation>
    </message>
</context>
<context>
    <name>confab::Y4mFile</name>
    <message>
        <source>Cannot read %1: %2.</source>
        <translation>%1 kann nicht gelesen werden: %2.</translation>
    </message>
    <message>
        <source>%1 is not a YUV4MPEG2 file.</source>
        <translation>%1 ist keine YUV4MPEG2-Datei.</translation>
    </message>
    <message>
        <source>%1 holds no whole frame.</source>
        <translation>%1 enthält kein vollständiges Bild.</translation>
    </message>
    <message>
        <source>%1 has frames in colour space %2; only 4:2:0 is read directly.</source>
        <translation>%1 hat Bilder im Farbraum %2; nur 4:2:0 wird direkt gelesen.</translation>
    </message>
    <message>
        <source>%1 has a malformed header field: %2.</source>
        <translation>%1 hat ein fehlerhaftes Kopffeld: %2.</translation>
    </message>
    <message>
        <source>%1 does not give its frame size and rate.</source>
        <translation>%1 gibt seine Bildgröße und Bildrate nicht an.</translation>
    </message>
    <message>
        <source>%1 has frames too large to play (%2x%3).</source>
        <translation>%1 hat zu große Bilder zum Abspielen (%2x%3).</translation>
    </message>
    <message>
        <source>%1 is not open.</source>
        <translation>%1 ist nicht geöffnet.</translation>
    </message>
    <message>
        <source>%1 cannot be read any more.</source>
        <translation>%1 kann nicht mehr gelesen werden.</translation>
    </message>
</context>
<context>
    <name>confab::protocol</name>
    <message>
        <source>A candidate needs &quot;sdpMid&quot; or &quot;sdpMLineIndex&quot;.</source>
        <translation>Ein Kandidat braucht „sdpMid“ oder „sdpMLineIndex“.</translation>
    </message>
    <message>
        <source>In login, &quot;iceServers&quot; must be a list.</source>
        <translation>In login muss „iceServers“ eine Liste sein.</translation>
    </message>
    <message>
        <source>In login, each ICE server must be an object.</source>
        <translation>In login muss jeder ICE-Server ein Objekt sein.</translation>
    </message>
    <message>
        <source>The name must be text.</source>
        <translation>Der Name muss Text sein.</translation>
    </message>
    <message>
        <source>Unknown message type.</source>
        <translation>Unbekannter Nachrichtentyp.</translation>
    </message>
</context>
<context>
    <name>confab::protocol::FrameParser</name>
    <message>
        <source>The message is empty.</source>
        <translation>Die Nachricht ist leer.</translation>
    </message>
    <message>
        <source>The message is not a JSON object.</source>
        <translation>Die Nachricht ist kein JSON-Objekt.</translation>
    </message>
    <message>
        <source>The message is not valid JSON: unexpected data after the object.</source>
        <translation>Die Nachricht ist kein gültiges JSON: unerwartete Daten nach dem Objekt.</translation>
    </message>
    <message>
        <source>The message is not valid JSON: %1 at byte %2.</source>
        <translation>Die Nachricht ist kein gültiges JSON: %1 bei Byte %2.</translation>
    </message>
</context>
<context>
    <name>confab::protocol::FrameScanner</name>
    <message>
        <source>The message is %1 bytes; the limit is %2 bytes.</source>
        <translation>Die Nachricht ist %1 Bytes lang; erlaubt sind %2 Bytes.</translation>
    </message>
    <message>
        <source>The message nests deeper than %1 levels.</source>
        <translation>Die Nachricht ist tiefer als %1 Ebenen verschachtelt.</translation>
    </message>
    <message>
        <source>The message contains \u0000, \u001f or an unpaired surrogate in its text, which cannot be passed on unchanged.</source>
        <translation>Die Nachricht enthält \u0000, \u001f oder ein einzelnes Surrogat im Text, was nicht unverändert weitergegeben werden kann.</translation>
    </message>
</context>
<context>
    <name>confab::protocol::MessageCodec</name>
    <message>
        <source>The message has no &quot;type&quot;.</source>
        <translation>Die Nachricht hat keinen „type“.</translation>
    </message>
    <message>
        <source>Unknown message type &quot;%1&quot;.</source>
        <translation>Unbekannter Nachrichtentyp „%1“.</translation>
    </message>
</context>
<context>
    <name>confab::protocol::ObjectReader</name>
    <message>
        <source>text</source>
        <translation>Text</translation>
    </message>
    <message>
        <source>true or false</source>
        <translation>true oder false</translation>
    </message>
    <message>
        <source>a small whole number</source>
        <translation>eine kleine ganze Zahl</translation>
    </message>
    <message>
        <source>an object</source>
        <translation>ein Objekt</translation>
    </message>
    <message>
        <source>a list of text</source>
        <translation>eine Liste von Texten</translation>
    </message>
    <message>
        <source>In %1, &quot;%2&quot; must be %3.</source>
        <translation>In %1 muss „%2“ %3 sein.</translation>
    </message>
</context>
<context>
    <name>confab::ui::AboutDialog</name>
    <message>
        <source>About Confab</source>
        <translation>Über Confab</translation>
    </message>
    <message>
        <source>Confab&apos;s icon</source>
        <translation>Symbol von Confab</translation>
    </message>
    <message>
        <source>Confab %1</source>
        <translation>Confab %1</translation>
    </message>
    <message>
        <source>Audio and video calls with people you name.</source>
        <translation>Audio- und Videoanrufe mit Menschen, die Sie beim Namen nennen.</translation>
    </message>
    <message>
        <source>Confab is free software: you can redistribute it and change it under the terms of the GNU General Public License, version 3 or (at your option) any later version (%1). It comes with NO WARRANTY, to the extent permitted by law.</source>
        <translation>Confab ist freie Software: Sie dürfen sie unter den Bedingungen der GNU General Public License, Version 3 oder (nach Ihrer Wahl) jeder späteren Version (%1), weitergeben und ändern. Sie kommt OHNE JEDE GARANTIE, soweit gesetzlich zulässig.</translation>
    </message>
    <message>
        <source>Read the licence</source>
        <translation>Lizenz lesen</translation>
    </message>
    <message>
        <source>Licence</source>
        <translation>Lizenz</translation>
    </message>
    <message>
        <source>Tab reaches the link to the licence&apos;s text; Enter opens it.</source>
        <translation>Tab erreicht den Link zum Lizenztext; Eingabe öffnet ihn.</translation>
    </message>
    <message>
        <source>Closes this window.</source>
        <translation>Schließt dieses Fenster.</translation>
    </message>
</context>
<context>
    <name>confab::ui::CallFlow</name>
    <message>
        <source>You cannot call yourself.</source>
        <translation>Sie können sich nicht selbst anrufen.</translation>
    </message>
    <message>
        <source>You are already in a call with %1.</source>
        <translation>Sie sind bereits in einem Gespräch mit %1.</translation>
    </message>
    <message>
        <source>Could not call %1.</source>
        <translation>%1 konnte nicht angerufen werden.</translation>
    </message>
    <message>
        <source>Could not answer the call: %1</source>
        <translation>Der Anruf konnte nicht angenommen werden: %1</translation>
    </message>
    <message>
        <source>In a call</source>
        <translation>Im Gespräch</translation>
    </message>
    <message>
        <source>Missed a call from %1: do not disturb declined it.</source>
        <translation>Anruf von %1 verpasst: „Nicht stören“ hat ihn abgelehnt.</translation>
    </message>
</context>
<context>
    <name>confab::ui::CallQuality</name>
    <message>
        <source>Their picture is frozen.</source>
        <translation>Das Bild der anderen Seite steht.</translation>
    </message>
    <message numerus="yes">
        <source>Their picture froze %n time(s) in the last %1 seconds.</source>
        <translation>
            <numerusform>Das Bild der anderen Seite ist in den letzten %1 Sekunden %n-mal stehen geblieben.</numerusform>
            <numerusform>Das Bild der anderen Seite ist in den letzten %1 Sekunden %n-mal stehen geblieben.</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 % of their packets are lost on the way.</source>
        <translation>%1 % der Pakete der anderen Seite gehen unterwegs verloren.</translation>
    </message>
    <message>
        <source>%1 % of their sound was lost and filled in.</source>
        <translation>%1 % des Tons der anderen Seite ging verloren und wurde aufgefüllt.</translation>
    </message>
    <message>
        <source>The delay is long (%1 ms there and back).</source>
        <translation>Die Verzögerung ist lang (%1 ms hin und zurück).</translation>
    </message>
    <message>
        <source>The delay is noticeable (%1 ms there and back).</source>
        <translation>Die Verzögerung ist spürbar (%1 ms hin und zurück).</translation>
    </message>
</context>
<context>
    <name>confab::ui::CallWindow</name>
    <message>
        <source>Call</source>
        <translation>Anruf</translation>
    </message>
    <message>
        <source>Remote video</source>
        <translation>Video der anderen Seite</translation>
    </message>
    <message>
        <source>Show your video</source>
        <translation>Eigenes Video zeigen</translation>
    </message>
    <message>
        <source>Show your video again</source>
        <translation>Eigenes Video wieder zeigen</translation>
    </message>
    <message>
        <source>Call statistics</source>
        <translation>Anrufstatistik</translation>
    </message>
    <message>
        <source>Waiting for statistics…</source>
        <translation>Warte auf Statistik…</translation>
    </message>
    <message>
        <source>Call notices</source>
        <translation>Hinweise zum Anruf</translation>
    </message>
    <message>
        <source>Calling with</source>
        <translation>Im Gespräch mit</translation>
    </message>
    <message>
        <source>Call state</source>
        <translation>Anrufstatus</translation>
    </message>
    <message>
        <source>Call duration</source>
        <translation>Gesprächsdauer</translation>
    </message>
    <message>
        <source>Safety code</source>
        <translation>Sicherheitscode</translation>
    </message>
    <message>
        <source>Read this code to the other person by voice and check they see the same. The server that connects you could otherwise sit in the middle of the call and listen; it cannot make both of you see the same code while doing so. Different codes: hang up.</source>
        <translation>Lesen Sie diesen Code der anderen Person vor und prüfen Sie, ob sie denselben sieht. Der Server, der Sie verbindet, könnte sonst mitten im Gespräch sitzen und mithören; dabei kann er nicht erreichen, dass Sie beide denselben Code sehen. Verschiedene Codes: auflegen.</translation>
    </message>
    <message>
        <source>Connection quality</source>
        <translation>Verbindungsqualität</translation>
    </message>
    <message>
        <source>Mute</source>
        <translation>Stumm</translation>
    </message>
    <message>
        <source>Mute microphone</source>
        <translation>Mikrofon stummschalten</translation>
    </message>
    <message>
        <source>Mute or unmute your microphone (M)</source>
        <translation>Mikrofon stumm- oder wieder einschalten (M)</translation>
    </message>
    <message>
        <source>Stop video</source>
        <translation>Video aus</translation>
    </message>
    <message>
        <source>Turn camera off</source>
        <translation>Kamera ausschalten</translation>
    </message>
    <message>
        <source>Turn your camera off or on (V)</source>
        <translation>Kamera aus- oder einschalten (V)</translation>
    </message>
    <message>
        <source>Share screen</source>
        <translation>Bildschirm teilen</translation>
    </message>
    <message>
        <source>Show a screen or window instead of your camera, or stop showing it</source>
        <translation>Einen Bildschirm oder ein Fenster statt der Kamera zeigen, oder damit aufhören</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>Chat</translation>
    </message>
    <message>
        <source>Show chat</source>
        <translation>Chat zeigen</translation>
    </message>
    <message>
        <source>Show or hide the chat (C)</source>
        <translation>Chat zeigen oder verbergen (C)</translation>
    </message>
    <message>
        <source>Statistics</source>
        <translation>Statistik</translation>
    </message>
    <message>
        <source>Show statistics</source>
        <translation>Statistik zeigen</translation>
    </message>
    <message>
        <source>Show or hide call statistics (I)</source>
        <translation>Anrufstatistik zeigen oder verbergen (I)</translation>
    </message>
    <message>
        <source>Full screen</source>
        <translation>Vollbild</translation>
    </message>
    <message>
        <source>Full screen on or off (F)</source>
        <translation>Vollbild ein oder aus (F)</translation>
    </message>
    <message>
        <source>Hang up</source>
        <translation>Auflegen</translation>
    </message>
    <message>
        <source>End the call (Ctrl+W)</source>
        <translation>Anruf beenden (Strg+W)</translation>
    </message>
    <message>
        <source>Chat messages</source>
        <translation>Chatnachrichten</translation>
    </message>
    <message>
        <source>What you and the other person wrote, oldest first.</source>
        <translation>Was Sie und die andere Person geschrieben haben, älteste zuerst.</translation>
    </message>
    <message>
        <source>Write a message</source>
        <translation>Nachricht schreiben</translation>
    </message>
    <message>
        <source>Chat message</source>
        <translation>Chatnachricht</translation>
    </message>
    <message>
        <source>Enter sends it. The letter keys type here, not the call&apos;s keys.</source>
        <translation>Eingabe sendet sie. Die Buchstabentasten schreiben hier, statt den Anruf zu steuern.</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
    <message>
        <source>Send chat message</source>
        <translation>Chatnachricht senden</translation>
    </message>
    <message>
        <source>Sends what is written to the other person.</source>
        <translation>Sendet das Geschriebene an die andere Person.</translation>
    </message>
    <message>
        <source>Close the chat</source>
        <translation>Chat schließen</translation>
    </message>
    <message>
        <source>Close the chat (C)</source>
        <translation>Chat schließen (C)</translation>
    </message>
    <message>
        <source>Stop sharing</source>
        <translation>Freigabe beenden</translation>
    </message>
    <message>
        <source>Stop sharing the screen</source>
        <translation>Bildschirmfreigabe beenden</translation>
    </message>
    <message>
        <source>Screen sharing stopped.</source>
        <translation>Bildschirmfreigabe beendet.</translation>
    </message>
    <message>
        <source>Their camera is off</source>
        <translation>Die Kamera der anderen Seite ist aus</translation>
    </message>
    <message>
        <source>No video from them</source>
        <translation>Kein Video von der anderen Seite</translation>
    </message>
    <message>
        <source>No video</source>
        <translation>Kein Video</translation>
    </message>
    <message>
        <source>Camera: this call sends no video</source>
        <translation>Kamera: dieser Anruf sendet kein Video</translation>
    </message>
    <message>
        <source>This call was answered with audio only: it sends no video.</source>
        <translation>Dieser Anruf wurde nur mit Ton angenommen: er sendet kein Video.</translation>
    </message>
    <message>
        <source>Audio only</source>
        <translation>Nur Ton</translation>
    </message>
    <message>
        <source>Safety code: %1</source>
        <translation>Sicherheitscode: %1</translation>
    </message>
    <message>
        <source>Round trip: %1 ms</source>
        <translation>Hin und zurück: %1 ms</translation>
    </message>
    <message>
        <source>Round trip: not known yet</source>
        <translation>Hin und zurück: noch nicht bekannt</translation>
    </message>
    <message>
        <source>Sending: %1 kb/s (target %2 kb/s)</source>
        <translation>Senden: %1 kb/s (Ziel %2 kb/s)</translation>
    </message>
    <message>
        <source>Receiving: %1 kb/s</source>
        <translation>Empfangen: %1 kb/s</translation>
    </message>
    <message>
        <source>Loss: %1 % · jitter: %2 ms</source>
        <translation>Verlust: %1 % · Jitter: %2 ms</translation>
    </message>
    <message>
        <source>Video: %1×%2 at %3 fps, %4</source>
        <translation>Video: %1×%2 bei %3 fps, %4</translation>
    </message>
    <message>
        <source>Video: none received, %1</source>
        <translation>Video: nichts empfangen, %1</translation>
    </message>
    <message>
        <source>Audio: %1</source>
        <translation>Ton: %1</translation>
    </message>
    <message>
        <source>direct (host)</source>
        <translation>direkt (Host)</translation>
    </message>
    <message>
        <source>through NAT (server-reflexive)</source>
        <translation>durch NAT (server-reflexiv)</translation>
    </message>
    <message>
        <source>relayed (TURN)</source>
        <translation>über Relay (TURN)</translation>
    </message>
    <message>
        <source>not known yet</source>
        <translation>noch nicht bekannt</translation>
    </message>
    <message>
        <source>Path: %1</source>
        <translation>Weg: %1</translation>
    </message>
    <message numerus="yes">
        <source>Picture froze: %n time(s), %1 s in all</source>
        <translation>
            <numerusform>Bild stand: %n-mal, insgesamt %1 s</numerusform>
            <numerusform>Bild stand: %n-mal, insgesamt %1 s</numerusform>
        </translation>
    </message>
    <message>
        <source>Sound filled in: %1 % since the start</source>
        <translation>Ton aufgefüllt: %1 % seit Beginn</translation>
    </message>
    <message>
        <source>Network estimate: %1 kb/s · they lose %2 % of ours</source>
        <translation>Netzschätzung: %1 kb/s · die andere Seite verliert %2 % von unseren Paketen</translation>
    </message>
    <message>
        <source>Network estimate: %1 kb/s</source>
        <translation>Netzschätzung: %1 kb/s</translation>
    </message>
    <message>
        <source>● Good</source>
        <translation>● Gut</translation>
    </message>
    <message>
        <source>● Fair</source>
        <translation>● Mittel</translation>
    </message>
    <message>
        <source>● Poor</source>
        <translation>● Schlecht</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Chat (%1)</source>
        <translation>Chat (%1)</translation>
    </message>
    <message numerus="yes">
        <source>Show chat, %n new message(s)</source>
        <translation>
            <numerusform>Chat zeigen, %n neue Nachricht</numerusform>
            <numerusform>Chat zeigen, %n neue Nachrichten</numerusform>
        </translation>
    </message>
    <message>
        <source>Hide chat</source>
        <translation>Chat verbergen</translation>
    </message>
    <message>
        <source>You: %1</source>
        <translation>Sie: %1</translation>
    </message>
    <message>
        <source>(Not sent: the chat is not connected.)</source>
        <translation>(Nicht gesendet: der Chat ist nicht verbunden.)</translation>
    </message>
    <message>
        <source>Unmute</source>
        <translation>Laut</translation>
    </message>
    <message>
        <source>Unmute microphone</source>
        <translation>Mikrofon einschalten</translation>
    </message>
    <message>
        <source>Start video</source>
        <translation>Video an</translation>
    </message>
    <message>
        <source>Turn camera on</source>
        <translation>Kamera einschalten</translation>
    </message>
    <message>
        <source>Camera off</source>
        <translation>Kamera aus</translation>
    </message>
    <message>
        <source>Hide statistics</source>
        <translation>Statistik verbergen</translation>
    </message>
    <message>
        <source>Leave full screen</source>
        <translation>Vollbild verlassen</translation>
    </message>
    <message>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
</context>
<context>
    <name>confab::ui::CertificateTrustDialog</name>
    <message>
        <source>Server certificate changed</source>
        <translation>Serverzertifikat geändert</translation>
    </message>
    <message>
        <source>Trust this certificate?</source>
        <translation>Diesem Zertifikat vertrauen?</translation>
    </message>
    <message>
        <source>The certificate of %1 has changed. Confab did not connect.</source>
        <translation>Das Zertifikat von %1 hat sich geändert. Confab hat sich nicht verbunden.</translation>
    </message>
    <message>
        <source>You trusted a different certificate for this server before. Someone may be pretending to be the server to read your calls&apos; signaling and sit in the middle of your calls. If the server&apos;s operator tells you they replaced the certificate, compare the new fingerprint below with theirs, then forget the old certificate and sign in again to decide about the new one.</source>
        <translation>Sie haben diesem Server früher ein anderes Zertifikat geglaubt. Jemand könnte sich als der Server ausgeben, um die Signalisierung Ihrer Anrufe mitzulesen und sich in Ihre Gespräche zu setzen. Wenn der Betreiber des Servers Ihnen sagt, dass er das Zertifikat ersetzt hat, vergleichen Sie den neuen Fingerabdruck unten mit seinem, vergessen Sie dann das alte Zertifikat und melden Sie sich erneut an, um über das neue zu entscheiden.</translation>
    </message>
    <message>
        <source>This computer does not trust the certificate of %1.</source>
        <translation>Dieser Computer vertraut dem Zertifikat von %1 nicht.</translation>
    </message>
    <message>
        <source>Servers with a self-signed certificate look like this; so does someone pretending to be the server. Ask the server&apos;s operator for its SHA-256 fingerprint and compare it with the one below. Trust it only if they are the same: Confab will then accept this certificate, and only this one, for %1.</source>
        <translation>So sehen Server mit einem selbst signierten Zertifikat aus; genauso aber jemand, der sich als der Server ausgibt. Fragen Sie den Betreiber des Servers nach dessen SHA-256-Fingerabdruck und vergleichen Sie ihn mit dem unten. Vertrauen Sie nur, wenn beide gleich sind: Confab nimmt dann dieses Zertifikat, und nur dieses, für %1 an.</translation>
    </message>
    <message>
        <source>SHA-256 fingerprint</source>
        <translation>SHA-256-Fingerabdruck</translation>
    </message>
    <message>
        <source>not given</source>
        <translation>nicht angegeben</translation>
    </message>
    <message>
        <source>SHA-256 fingerprint:</source>
        <translation>SHA-256-Fingerabdruck:</translation>
    </message>
    <message>
        <source>Trusted until now:</source>
        <translation>Bisher vertraut:</translation>
    </message>
    <message>
        <source>Issued to:</source>
        <translation>Ausgestellt für:</translation>
    </message>
    <message>
        <source>Issued by:</source>
        <translation>Ausgestellt von:</translation>
    </message>
    <message>
        <source>Valid from:</source>
        <translation>Gültig ab:</translation>
    </message>
    <message>
        <source>Valid until:</source>
        <translation>Gültig bis:</translation>
    </message>
    <message>
        <source>Problems:</source>
        <translation>Probleme:</translation>
    </message>
    <message>
        <source>&amp;Don&apos;t connect</source>
        <translation>&amp;Nicht verbinden</translation>
    </message>
    <message>
        <source>&amp;Forget the old certificate</source>
        <translation>Altes Zertifikat &amp;vergessen</translation>
    </message>
    <message>
        <source>&amp;Trust and connect</source>
        <translation>&amp;Vertrauen und verbinden</translation>
    </message>
</context>
<context>
    <name>confab::ui::ContactsPage</name>
    <message>
        <source>at %1</source>
        <translation>um %1</translation>
    </message>
    <message>
        <source>yesterday at %1</source>
        <translation>gestern um %1</translation>
    </message>
    <message>
        <source>%1 at %2</source>
        <translation>%1 um %2</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>&amp;Call</source>
        <translation>&amp;Anrufen</translation>
    </message>
    <message>
        <source>Recent calls</source>
        <translation>Letzte Anrufe</translation>
    </message>
    <message>
        <source>Signed in as</source>
        <translation>Angemeldet als</translation>
    </message>
    <message>
        <source>Search, or type a name to call</source>
        <translation>Suchen oder einen Namen zum Anrufen eingeben</translation>
    </message>
    <message>
        <source>Search people or type a name to call</source>
        <translation>Personen suchen oder einen Namen zum Anrufen eingeben</translation>
    </message>
    <message>
        <source>Filters the people online as you type; Enter calls the one shown or the name typed, Down goes to the list.</source>
        <translation>Filtert beim Tippen die Personen, die online sind; Eingabe ruft die gezeigte Person oder den getippten Namen an, Pfeil nach unten geht zur Liste.</translation>
    </message>
    <message>
        <source>People online</source>
        <translation>Personen online</translation>
    </message>
    <message>
        <source>Enter or a double click calls the person chosen.</source>
        <translation>Eingabe oder Doppelklick ruft die gewählte Person an.</translation>
    </message>
    <message>
        <source>Call</source>
        <translation>Anrufen</translation>
    </message>
    <message>
        <source>Calls the person chosen in the list, or the name typed.</source>
        <translation>Ruft die in der Liste gewählte Person oder den getippten Namen an.</translation>
    </message>
    <message>
        <source>Newest first; Enter calls that person again.</source>
        <translation>Neueste zuerst; Eingabe ruft diese Person wieder an.</translation>
    </message>
    <message>
        <source>&amp;Online</source>
        <translation>&amp;Online</translation>
    </message>
    <message>
        <source>Hint</source>
        <translation>Hinweis</translation>
    </message>
    <message>
        <source>&amp;Recent calls</source>
        <translation>&amp;Letzte Anrufe</translation>
    </message>
    <message>
        <source>Double-click or press Enter to call %1</source>
        <translation>Doppelklick oder Eingabe ruft %1 an</translation>
    </message>
    <message>
        <source>&amp;Online (%1)</source>
        <translation>&amp;Online (%1)</translation>
    </message>
    <message>
        <source>Missed</source>
        <translation>Verpasst</translation>
    </message>
    <message>
        <source>Declined</source>
        <translation>Abgelehnt</translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation>Nicht verbunden</translation>
    </message>
    <message>
        <source>No answer</source>
        <translation>Keine Antwort</translation>
    </message>
    <message>
        <source>Busy</source>
        <translation>Besetzt</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Abgebrochen</translation>
    </message>
    <message>
        <source>%1  %2 · %3 · %4</source>
        <translation>%1  %2 · %3 · %4</translation>
    </message>
    <message>
        <source>Call from %1 — press Enter to call back</source>
        <translation>Anruf von %1 – Eingabe ruft zurück</translation>
    </message>
    <message>
        <source>Call to %1 — press Enter to call again</source>
        <translation>Anruf an %1 – Eingabe ruft erneut an</translation>
    </message>
    <message>
        <source>No calls yet</source>
        <translation>Noch keine Anrufe</translation>
    </message>
    <message numerus="yes">
        <source>&amp;Recent calls (%n missed)</source>
        <translation>
            <numerusform>&amp;Letzte Anrufe (%n verpasst)</numerusform>
            <numerusform>&amp;Letzte Anrufe (%n verpasst)</numerusform>
        </translation>
    </message>
    <message>
        <source>Signed in as %1 on %2</source>
        <translation>Angemeldet als %1 auf %2</translation>
    </message>
    <message>
        <source>Nobody else is online yet.</source>
        <translation>Noch ist niemand sonst online.</translation>
    </message>
    <message>
        <source>Nobody online matches &quot;%1&quot;; press Enter to call that name anyway.</source>
        <translation>Niemand online passt zu „%1“; Eingabe ruft diesen Namen trotzdem an.</translation>
    </message>
    <message>
        <source>&amp;Call %1</source>
        <translation>%1 &amp;anrufen</translation>
    </message>
    <message>
        <source>Call %1</source>
        <translation>%1 anrufen</translation>
    </message>
</context>
<context>
    <name>confab::ui::CredentialStore</name>
    <message>
        <source>There is no keyring on this computer (such as GNOME Keyring or KWallet), so Confab cannot remember your password or token: nothing was stored. Type them when you sign in.</source>
        <translation>Auf diesem Computer gibt es keinen Schlüsselbund (wie GNOME Keyring oder KWallet), daher kann Confab sich Ihr Passwort oder Token nicht merken: es wurde nichts gespeichert. Geben Sie sie bei der Anmeldung ein.</translation>
    </message>
    <message>
        <source>The keyring did not let Confab use your password or token (%1).</source>
        <translation>Der Schlüsselbund hat Confab Ihr Passwort oder Token nicht verwenden lassen (%1).</translation>
    </message>
</context>
<context>
    <name>confab::ui::DesktopNotifier</name>
    <message>
        <source>Missed call</source>
        <translation>Verpasster Anruf</translation>
    </message>
    <message>
        <source>You missed a call from %1.</source>
        <translation>Sie haben einen Anruf von %1 verpasst.</translation>
    </message>
    <message>
        <source>Incoming call</source>
        <translation>Eingehender Anruf</translation>
    </message>
    <message>
        <source>%1 is calling you.</source>
        <translation>%1 ruft Sie an.</translation>
    </message>
    <message>
        <source>Accept</source>
        <translation>Annehmen</translation>
    </message>
    <message>
        <source>Decline</source>
        <translation>Ablehnen</translation>
    </message>
</context>
<context>
    <name>confab::ui::EmbeddedService</name>
    <message>
        <source>The echo test contact could not sign in; calls to echo will not be answered.</source>
        <translation>Der Echo-Testkontakt konnte sich nicht anmelden; Anrufe an echo werden nicht angenommen.</translation>
    </message>
</context>
<context>
    <name>confab::ui::IncomingCallDialog</name>
    <message>
        <source>Accept with &amp;video</source>
        <translation>Mit &amp;Video annehmen</translation>
    </message>
    <message>
        <source>Accept &amp;audio only</source>
        <translation>Nur &amp;Ton annehmen</translation>
    </message>
    <message>
        <source>&amp;Decline</source>
        <translation>&amp;Ablehnen</translation>
    </message>
    <message>
        <source>Incoming call</source>
        <translation>Eingehender Anruf</translation>
    </message>
    <message>
        <source>Caller&apos;s picture</source>
        <translation>Bild des Anrufers</translation>
    </message>
    <message>
        <source>Caller</source>
        <translation>Anrufer</translation>
    </message>
    <message>
        <source>is calling you</source>
        <translation>ruft Sie an</translation>
    </message>
    <message>
        <source>Accept with video</source>
        <translation>Mit Video annehmen</translation>
    </message>
    <message>
        <source>Answers the call and sends your camera&apos;s picture.</source>
        <translation>Nimmt den Anruf an und sendet das Bild Ihrer Kamera.</translation>
    </message>
    <message>
        <source>Accept audio only</source>
        <translation>Nur Ton annehmen</translation>
    </message>
    <message>
        <source>Answers the call without sending any video.</source>
        <translation>Nimmt den Anruf an, ohne Video zu senden.</translation>
    </message>
    <message>
        <source>Decline</source>
        <translation>Ablehnen</translation>
    </message>
    <message>
        <source>Refuses the call; the caller is told you declined (Escape).</source>
        <translation>Lehnt den Anruf ab; dem Anrufer wird gesagt, dass Sie abgelehnt haben (Esc).</translation>
    </message>
    <message>
        <source>%1 is calling you</source>
        <translation>%1 ruft Sie an</translation>
    </message>
    <message>
        <source>Incoming call from %1</source>
        <translation>Eingehender Anruf von %1</translation>
    </message>
    <message>
        <source>is calling you (silenced: do not disturb is on)</source>
        <translation>ruft Sie an (stumm: „Nicht stören“ ist an)</translation>
    </message>
</context>
<context>
    <name>confab::ui::KeychainCredentialStore</name>
    <message>
        <source>there is no D-Bus session bus</source>
        <translation>es gibt keinen D-Bus-Sitzungsbus</translation>
    </message>
    <message>
        <source>the D-Bus session bus cannot be asked for services</source>
        <translation>der D-Bus-Sitzungsbus kann nicht nach Diensten gefragt werden</translation>
    </message>
    <message>
        <source>no Secret Service (GNOME Keyring, KeePassXC, …) or KWallet on the session bus</source>
        <translation>kein Secret Service (GNOME Keyring, KeePassXC, …) und kein KWallet auf dem Sitzungsbus</translation>
    </message>
</context>
<context>
    <name>confab::ui::LaunchRequest</name>
    <message>
        <source>Signaling server URL (ws:// or wss://).</source>
        <translation>URL des Signalisierungsservers (ws:// oder wss://).</translation>
    </message>
    <message>
        <source>url</source>
        <translation>url</translation>
    </message>
    <message>
        <source>Your name on the server.</source>
        <translation>Ihr Name auf dem Server.</translation>
    </message>
    <message>
        <source>name</source>
        <translation>name</translation>
    </message>
    <message>
        <source>Call this person once signed in.</source>
        <translation>Diese Person nach der Anmeldung anrufen.</translation>
    </message>
    <message>
        <source>peer</source>
        <translation>person</translation>
    </message>
    <message>
        <source>Call PEER (the confab: link scheme).</source>
        <translation>PERSON anrufen (das Link-Schema confab:).</translation>
    </message>
    <message>
        <source>The server address must start with ws:// or wss://, not &quot;%1&quot;.</source>
        <translation>Die Serveradresse muss mit ws:// oder wss:// beginnen, nicht mit „%1“.</translation>
    </message>
    <message>
        <source>Give at most one confab:PEER link.</source>
        <translation>Geben Sie höchstens einen confab:PERSON-Link an.</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a confab:PEER link.</source>
        <translation>„%1“ ist kein confab:PERSON-Link.</translation>
    </message>
    <message>
        <source>The link &quot;%1&quot; names no one to call.</source>
        <translation>Der Link „%1“ nennt niemanden zum Anrufen.</translation>
    </message>
</context>
<context>
    <name>confab::ui::MainWindow</name>
    <message>
        <source>Call notices</source>
        <translation>Hinweise zum Anruf</translation>
    </message>
    <message>
        <source>Call echo to see and hear yourself: it sends back what it receives.</source>
        <translation>Rufen Sie echo an, um sich selbst zu sehen und zu hören: es schickt zurück, was es empfängt.</translation>
    </message>
    <message>
        <source>&amp;Confab</source>
        <translation>&amp;Confab</translation>
    </message>
    <message>
        <source>&amp;Find or Call Someone…</source>
        <translation>Jemanden &amp;finden oder anrufen…</translation>
    </message>
    <message>
        <source>&amp;Do Not Disturb</source>
        <translation>&amp;Nicht stören</translation>
    </message>
    <message>
        <source>Do not disturb</source>
        <translation>Nicht stören</translation>
    </message>
    <message>
        <source>&amp;Silence incoming calls</source>
        <translation>Eingehende Anrufe &amp;stumm schalten</translation>
    </message>
    <message>
        <source>D&amp;ecline incoming calls</source>
        <translation>Eingehende Anrufe a&amp;blehnen</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Einstellungen…</translation>
    </message>
    <message>
        <source>Sign &amp;Out</source>
        <translation>&amp;Abmelden</translation>
    </message>
    <message>
        <source>&amp;Close Window</source>
        <translation>Fenster &amp;schließen</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;About Confab</source>
        <translation>&amp;Über Confab</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>Verbindung</translation>
    </message>
    <message>
        <source>Silences or declines incoming calls, as chosen in the Do Not Disturb menu (Ctrl+D).</source>
        <translation>Schaltet eingehende Anrufe stumm oder lehnt sie ab, wie im Menü „Nicht stören“ gewählt (Strg+D).</translation>
    </message>
    <message>
        <source>Do not disturb · signed in as %1</source>
        <translation>Nicht stören · angemeldet als %1</translation>
    </message>
    <message>
        <source>Online as %1</source>
        <translation>Online als %1</translation>
    </message>
    <message>
        <source>Do not disturb: declining calls</source>
        <translation>Nicht stören: Anrufe werden abgelehnt</translation>
    </message>
    <message>
        <source>Do not disturb: silencing calls</source>
        <translation>Nicht stören: Anrufe sind stumm</translation>
    </message>
    <message>
        <source>You are in a call as %1: finish it before signing in as %2.</source>
        <translation>Sie sind als %1 in einem Gespräch: beenden Sie es, bevor Sie sich als %2 anmelden.</translation>
    </message>
    <message>
        <source>Sign in as %1?</source>
        <translation>Als %1 anmelden?</translation>
    </message>
    <message>
        <source>Confab is signed in as %1. Sign out and sign in as %2 instead?</source>
        <translation>Confab ist als %1 angemeldet. Abmelden und stattdessen als %2 anmelden?</translation>
    </message>
    <message>
        <source>Sign in as %1</source>
        <translation>Als %1 anmelden</translation>
    </message>
    <message>
        <source>Stay %1</source>
        <translation>%1 bleiben</translation>
    </message>
    <message>
        <source>Call %1?</source>
        <translation>%1 anrufen?</translation>
    </message>
    <message>
        <source>A link asks Confab to call %1. Call now?</source>
        <translation>Ein Link bittet Confab, %1 anzurufen. Jetzt anrufen?</translation>
    </message>
    <message>
        <source>Call %1</source>
        <translation>%1 anrufen</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>this computer</source>
        <translation>diesem Computer</translation>
    </message>
    <message>
        <source>Reconnected.</source>
        <translation>Wieder verbunden.</translation>
    </message>
    <message>
        <source>%1 — Confab</source>
        <translation>%1 – Confab</translation>
    </message>
    <message>
        <source>Confab — %1</source>
        <translation>Confab – %1</translation>
    </message>
    <message>
        <source>Confab</source>
        <translation>Confab</translation>
    </message>
    <message numerus="yes">
        <source>%1 (%n missed)</source>
        <translation>
            <numerusform>%1 (%n verpasst)</numerusform>
            <numerusform>%1 (%n verpasst)</numerusform>
        </translation>
    </message>
    <message>
        <source>End the call?</source>
        <translation>Anruf beenden?</translation>
    </message>
    <message>
        <source>Quitting Confab ends your call with %1.</source>
        <translation>Wenn Sie Confab beenden, endet Ihr Gespräch mit %1.</translation>
    </message>
    <message>
        <source>End call and quit</source>
        <translation>Anruf beenden und schließen</translation>
    </message>
    <message>
        <source>Keep calling</source>
        <translation>Weiter telefonieren</translation>
    </message>
    <message>
        <source>Closing the window ends your call with %1.</source>
        <translation>Wenn Sie das Fenster schließen, endet Ihr Gespräch mit %1.</translation>
    </message>
    <message>
        <source>End call</source>
        <translation>Anruf beenden</translation>
    </message>
</context>
<context>
    <name>confab::ui::ScreenPicker</name>
    <message>
        <source>Share your screen</source>
        <translation>Bildschirm teilen</translation>
    </message>
    <message>
        <source>Choose what to share</source>
        <translation>Wählen Sie, was geteilt wird</translation>
    </message>
    <message>
        <source>Choose a whole screen or one window. The other side sees it instead of your camera until you stop sharing.</source>
        <translation>Wählen Sie einen ganzen Bildschirm oder ein Fenster. Die andere Seite sieht es statt Ihrer Kamera, bis Sie die Freigabe beenden.</translation>
    </message>
    <message>
        <source>Screens and windows</source>
        <translation>Bildschirme und Fenster</translation>
    </message>
    <message>
        <source>Share</source>
        <translation>Teilen</translation>
    </message>
    <message>
        <source>No X11 display to share from.</source>
        <translation>Kein X11-Display, von dem geteilt werden kann.</translation>
    </message>
    <message>
        <source>Entire screen (%1×%2)</source>
        <translation>Ganzer Bildschirm (%1×%2)</translation>
    </message>
    <message>
        <source>Screen %1 (%2×%3)</source>
        <translation>Bildschirm %1 (%2×%3)</translation>
    </message>
    <message>
        <source>%1 (%2×%3)</source>
        <translation>%1 (%2×%3)</translation>
    </message>
</context>
<context>
    <name>confab::ui::ScreenSaverInhibitor</name>
    <message>
        <source>In a call</source>
        <translation>Im Gespräch</translation>
    </message>
</context>
<context>
    <name>confab::ui::SelfView</name>
    <message>
        <source>Your video</source>
        <translation>Ihr Video</translation>
    </message>
    <message>
        <source>Drag it, or use the arrow keys, to move it to another corner.</source>
        <translation>Ziehen Sie es oder verwenden Sie die Pfeiltasten, um es in eine andere Ecke zu bewegen.</translation>
    </message>
    <message>
        <source>No camera picture</source>
        <translation>Kein Kamerabild</translation>
    </message>
    <message>
        <source>Hide your video</source>
        <translation>Eigenes Video verbergen</translation>
    </message>
    <message>
        <source>Hide your video (the others still see it)</source>
        <translation>Eigenes Video verbergen (die anderen sehen es weiterhin)</translation>
    </message>
</context>
<context>
    <name>confab::ui::SettingsDialog</name>
    <message>
        <source>Call settings</source>
        <translation>Anrufeinstellungen</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>Kamera</translation>
    </message>
    <message>
        <source>Microphone</source>
        <translation>Mikrofon</translation>
    </message>
    <message>
        <source>Speaker</source>
        <translation>Lautsprecher</translation>
    </message>
    <message>
        <source>Resolution</source>
        <translation>Auflösung</translation>
    </message>
    <message>
        <source>%1 × %2</source>
        <translation>%1 × %2</translation>
    </message>
    <message>
        <source>Frame rate</source>
        <translation>Bildrate</translation>
    </message>
    <message>
        <source>%1 frames per second</source>
        <translation>%1 Bilder pro Sekunde</translation>
    </message>
    <message>
        <source>&amp;Cancel echo</source>
        <translation>&amp;Echo unterdrücken</translation>
    </message>
    <message>
        <source>Echo cancellation</source>
        <translation>Echounterdrückung</translation>
    </message>
    <message>
        <source>Without it, the other person hears their own voice back whenever your speakers play into your microphone. Turn it off only with headphones, or when your sound system already removes echo.</source>
        <translation>Ohne sie hört die andere Person ihre eigene Stimme zurück, sobald Ihre Lautsprecher in Ihr Mikrofon spielen. Schalten Sie sie nur mit Kopfhörern aus, oder wenn Ihr Tonsystem Echo schon selbst entfernt.</translation>
    </message>
    <message>
        <source>Camera preview</source>
        <translation>Kameravorschau</translation>
    </message>
    <message>
        <source>Microphone level</source>
        <translation>Mikrofonpegel</translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>Geräte</translation>
    </message>
    <message>
        <source>C&amp;amera:</source>
        <translation>&amp;Kamera:</translation>
    </message>
    <message>
        <source>&amp;Microphone:</source>
        <translation>&amp;Mikrofon:</translation>
    </message>
    <message>
        <source>Level:</source>
        <translation>Pegel:</translation>
    </message>
    <message>
        <source>&amp;Speaker:</source>
        <translation>&amp;Lautsprecher:</translation>
    </message>
    <message>
        <source>Picture and sound</source>
        <translation>Bild und Ton</translation>
    </message>
    <message>
        <source>&amp;Resolution:</source>
        <translation>&amp;Auflösung:</translation>
    </message>
    <message>
        <source>&amp;Frame rate:</source>
        <translation>&amp;Bildrate:</translation>
    </message>
    <message>
        <source>STUN and TURN servers</source>
        <translation>STUN- und TURN-Server</translation>
    </message>
    <message>
        <source>URL (e.g. turn:turn.example.org:3478)</source>
        <translation>URL (z. B. turn:turn.example.org:3478)</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>Benutzername</translation>
    </message>
    <message>
        <source>Credential</source>
        <translation>Zugangsdaten</translation>
    </message>
    <message>
        <source>&amp;Add server</source>
        <translation>Server &amp;hinzufügen</translation>
    </message>
    <message>
        <source>Add STUN or TURN server</source>
        <translation>STUN- oder TURN-Server hinzufügen</translation>
    </message>
    <message>
        <source>Re&amp;move server</source>
        <translation>Server &amp;entfernen</translation>
    </message>
    <message>
        <source>Remove the selected server</source>
        <translation>Den gewählten Server entfernen</translation>
    </message>
    <message>
        <source>Needed when the other side is behind a strict NAT or firewall. The server you sign in to may provide some already.</source>
        <translation>Nötig, wenn die andere Seite hinter einem strengen NAT oder einer Firewall sitzt. Der Server, bei dem Sie sich anmelden, stellt vielleicht schon welche bereit.</translation>
    </message>
    <message>
        <source>No credential</source>
        <translation>Keine Zugangsdaten</translation>
    </message>
    <message>
        <source>Credential, hidden</source>
        <translation>Zugangsdaten, verborgen</translation>
    </message>
    <message>
        <source>%1 (not connected)</source>
        <translation>%1 (nicht angeschlossen)</translation>
    </message>
    <message>
        <source>No camera found — a test pattern is sent</source>
        <translation>Keine Kamera gefunden – es wird ein Testbild gesendet</translation>
    </message>
    <message>
        <source>No microphone found — silence is sent</source>
        <translation>Kein Mikrofon gefunden – es wird Stille gesendet</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>Systemvorgabe</translation>
    </message>
    <message>
        <source>No speaker found — calls play no sound here</source>
        <translation>Kein Lautsprecher gefunden – Anrufe sind hier nicht zu hören</translation>
    </message>
    <message>
        <source>“%1” is not a STUN or TURN address; write it like stun:stun.example.org:3478 or turn:turn.example.org:3478.</source>
        <translation>„%1“ ist keine STUN- oder TURN-Adresse; schreiben Sie sie wie stun:stun.example.org:3478 oder turn:turn.example.org:3478.</translation>
    </message>
    <message>
        <source>The TURN server %1 needs a user name and a credential.</source>
        <translation>Der TURN-Server %1 braucht einen Benutzernamen und Zugangsdaten.</translation>
    </message>
    <message>
        <source>Test pattern</source>
        <translation>Testbild</translation>
    </message>
    <message>
        <source>The camera could not be opened.</source>
        <translation>Die Kamera konnte nicht geöffnet werden.</translation>
    </message>
    <message>
        <source>No microphone to measure.</source>
        <translation>Kein Mikrofon zum Messen.</translation>
    </message>
    <message>
        <source>The microphone could not be opened.</source>
        <translation>Das Mikrofon konnte nicht geöffnet werden.</translation>
    </message>
    <message>
        <source>The microphone stopped working.</source>
        <translation>Das Mikrofon funktioniert nicht mehr.</translation>
    </message>
    <message>
        <source>Reconnect window</source>
        <translation>Zeit für die Wiederverbindung</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>How long a call whose connection dropped keeps trying to come back before it ends.</source>
        <translation>Wie lange ein Anruf, dessen Verbindung abgebrochen ist, versucht, sie wiederherzustellen, bevor er endet.</translation>
    </message>
    <message>
        <source>&amp;Keep reconnecting for:</source>
        <translation>&amp;Wiederverbinden versuchen für:</translation>
    </message>
</context>
<context>
    <name>confab::ui::SignInFlow</name>
    <message>
        <source>Reading your password and token from the keyring…</source>
        <translation>Passwort und Token werden aus dem Schlüsselbund gelesen…</translation>
    </message>
    <message>
        <source>Signing in on this computer as %1…</source>
        <translation>Anmeldung auf diesem Computer als %1…</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>Verbindung zu %1…</translation>
    </message>
    <message>
        <source>%1
Trying again…</source>
        <translation>%1
Neuer Versuch…</translation>
    </message>
    <message>
        <source>Port %1 on this computer is taken by a program that is not a Confab server. %2</source>
        <translation>Port %1 auf diesem Computer ist von einem Programm belegt, das kein Confab-Server ist. %2</translation>
    </message>
    <message>
        <source>Connection to the server lost: %1 Reconnecting…</source>
        <translation>Verbindung zum Server verloren: %1 Verbindung wird wiederhergestellt…</translation>
    </message>
    <message>
        <source>This server asks for a password or a server token: %1</source>
        <translation>Dieser Server verlangt ein Passwort oder ein Server-Token: %1</translation>
    </message>
    <message>
        <source>The server did not accept the password or token: %1</source>
        <translation>Der Server hat das Passwort oder Token nicht angenommen: %1</translation>
    </message>
    <message>
        <source>The server refused the name: %1 Choose another name.</source>
        <translation>Der Server hat den Namen abgelehnt: %1 Wählen Sie einen anderen Namen.</translation>
    </message>
    <message>
        <source>The old certificate of %1 is forgotten. Sign in again to see the new one and decide whether to trust it.</source>
        <translation>Das alte Zertifikat von %1 ist vergessen. Melden Sie sich erneut an, um das neue zu sehen und zu entscheiden, ob Sie ihm vertrauen.</translation>
    </message>
    <message>
        <source>%1 Type your password or token and sign in.</source>
        <translation>%1 Geben Sie Ihr Passwort oder Token ein und melden Sie sich an.</translation>
    </message>
    <message>
        <source>Your saved password and token cannot be read: there is no keyring on this computer now.</source>
        <translation>Ihr gespeichertes Passwort und Token können nicht gelesen werden: auf diesem Computer gibt es jetzt keinen Schlüsselbund.</translation>
    </message>
</context>
<context>
    <name>confab::ui::SignInPage</name>
    <message>
        <source>&amp;Remember password and token in the keyring</source>
        <translation>Passwort und Token im Schlüsselbund &amp;merken</translation>
    </message>
    <message>
        <source>Sign in &amp;automatically next time</source>
        <translation>Nächstes Mal &amp;automatisch anmelden</translation>
    </message>
    <message>
        <source>&amp;Sign in</source>
        <translation>&amp;Anmelden</translation>
    </message>
    <message>
        <source>Sign in to Confab</source>
        <translation>Bei Confab anmelden</translation>
    </message>
    <message>
        <source>Empty: a server on this computer</source>
        <translation>Leer: ein Server auf diesem Computer</translation>
    </message>
    <message>
        <source>Like example.org:8443 (wss:// is added) or ws://example.org:8080/.</source>
        <translation>Etwa example.org:8443 (wss:// wird ergänzt) oder ws://example.org:8080/.</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>Serveradresse</translation>
    </message>
    <message>
        <source>A server&apos;s address, like example.org:8443; leave empty to use a server on this computer.</source>
        <translation>Die Adresse eines Servers, etwa example.org:8443; leer lassen für einen Server auf diesem Computer.</translation>
    </message>
    <message>
        <source>How others see you</source>
        <translation>Wie andere Sie sehen</translation>
    </message>
    <message>
        <source>Your name</source>
        <translation>Ihr Name</translation>
    </message>
    <message>
        <source>The name others see and call you by on this server.</source>
        <translation>Der Name, unter dem andere Sie auf diesem Server sehen und anrufen.</translation>
    </message>
    <message>
        <source>Only if the server asks for one</source>
        <translation>Nur, wenn der Server danach fragt</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Passwort</translation>
    </message>
    <message>
        <source>Only for a server that asks for one.</source>
        <translation>Nur für einen Server, der danach fragt.</translation>
    </message>
    <message>
        <source>Only if the server&apos;s operator gave you one</source>
        <translation>Nur, wenn der Betreiber des Servers Ihnen eines gegeben hat</translation>
    </message>
    <message>
        <source>Server token</source>
        <translation>Server-Token</translation>
    </message>
    <message>
        <source>The token this server&apos;s operator gave you.</source>
        <translation>Das Token, das Ihnen der Betreiber dieses Servers gegeben hat.</translation>
    </message>
    <message>
        <source>Remember password and token in the keyring</source>
        <translation>Passwort und Token im Schlüsselbund merken</translation>
    </message>
    <message>
        <source>Kept in your desktop&apos;s keyring (GNOME Keyring, KWallet), never in Confab&apos;s settings file.</source>
        <translation>Im Schlüsselbund Ihrer Arbeitsumgebung (GNOME Keyring, KWallet) aufbewahrt, nie in der Einstellungsdatei von Confab.</translation>
    </message>
    <message>
        <source>Sign in automatically next time</source>
        <translation>Nächstes Mal automatisch anmelden</translation>
    </message>
    <message>
        <source>Confab signs in by itself when it starts, until you sign out.</source>
        <translation>Confab meldet sich beim Start selbst an, bis Sie sich abmelden.</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Anmelden</translation>
    </message>
    <message>
        <source>Signs in, or while signing in, stops trying.</source>
        <translation>Meldet an oder hört während der Anmeldung auf, es zu versuchen.</translation>
    </message>
    <message>
        <source>Sign-in status</source>
        <translation>Anmeldestatus</translation>
    </message>
    <message>
        <source>Sign-in error</source>
        <translation>Anmeldefehler</translation>
    </message>
    <message>
        <source>Se&amp;rver:</source>
        <translation>Se&amp;rver:</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>&amp;Passwort:</translation>
    </message>
    <message>
        <source>Server &amp;token:</source>
        <translation>Server-&amp;Token:</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>Abbre&amp;chen</translation>
    </message>
    <message>
        <source>Cancel signing in</source>
        <translation>Anmeldung abbrechen</translation>
    </message>
    <message>
        <source>Type the name you want others to see.</source>
        <translation>Geben Sie den Namen ein, den andere sehen sollen.</translation>
    </message>
    <message>
        <source>“%1” is not a server address. Write it like example.org:8443 or wss://example.org:8443/.</source>
        <translation>„%1“ ist keine Serveradresse. Schreiben Sie sie wie example.org:8443 oder wss://example.org:8443/.</translation>
    </message>
</context>
<context>
    <name>confab::ui::TrayIcon</name>
    <message>
        <source>&amp;Show Confab</source>
        <translation>Confab &amp;zeigen</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>Confab is still running</source>
        <translation>Confab läuft weiter</translation>
    </message>
    <message>
        <source>Calls still reach you. Quit from this icon&apos;s menu to go offline.</source>
        <translation>Anrufe erreichen Sie weiterhin. Beenden Sie Confab über das Menü dieses Symbols, um offline zu gehen.</translation>
    </message>
    <message>
        <source>%1 is calling you</source>
        <translation>%1 ruft Sie an</translation>
    </message>
    <message numerus="yes">
        <source>Confab: %n missed call(s)</source>
        <translation>
            <numerusform>Confab: %n verpasster Anruf</numerusform>
            <numerusform>Confab: %n verpasste Anrufe</numerusform>
        </translation>
    </message>
    <message>
        <source>Confab</source>
        <translation>Confab</translation>
    </message>
</context>
<context>
    <name>confab::ui::VideoWidget</name>
    <message>
        <source>No video yet</source>
        <translation>Noch kein Video</translation>
    </message>
    <message>
        <source>Video</source>
        <translation>Video</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Confab: audio and video calls with people you name.</source>
        <translation>Confab: Audio- und Videoanrufe mit Menschen, die Sie beim Namen nennen.</translation>
    </message>
</context>
</TS>

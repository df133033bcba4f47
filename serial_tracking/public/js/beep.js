// The scanner's tone on forms that do not load the SN dialog (the Serial Count form): the same
// serial_tracking.beep, defined here only when no other script of the page defined it already.
frappe.provide("serial_tracking");

if (!serial_tracking.beep) {
	// A short tone (440 Hz, 150 ms): a person at a scanner looks at the goods, not at the screen.
	serial_tracking.beep = function () {
		serial_tracking.beeps = (serial_tracking.beeps || 0) + 1;
		try {
			const Context = window.AudioContext || window.webkitAudioContext;
			if (!Context) return;
			serial_tracking.audio = serial_tracking.audio || new Context();
			const audio = serial_tracking.audio;
			if (audio.state === "suspended") audio.resume();
			const tone = audio.createOscillator();
			const volume = audio.createGain();
			tone.type = "square";
			tone.frequency.value = 440;
			volume.gain.value = 0.2;
			tone.connect(volume);
			volume.connect(audio.destination);
			tone.start();
			tone.stop(audio.currentTime + 0.15);
		} catch (e) {
			// No sound on this device: the reason is shown all the same.
		}
	};
}

// Reads the NIK as it is typed: says at once when it cannot be a NIK, and fills sex and birth date
// from it when they are still empty. The server checks again; this only saves a round trip.
(function () {
  "use strict";
  var form = document.querySelector("form.official-form");
  if (!form) return;
  var input = form.querySelector("[data-nik]");
  var hint = form.querySelector(".nik-hint");
  if (!input || !hint) return;
  var d = form.dataset;

  function realDate(y, m, day) {
    var dt = new Date(Date.UTC(y, m - 1, day));
    return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === day ? dt : null;
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function check() {
    var digits = input.value.replace(/[\s.\-]/g, "");
    hint.classList.remove("error");
    if (!digits) { hint.textContent = ""; return; }
    if (!/^\d{16}$/.test(digits)) {
      hint.textContent = digits.length < 16 && /^\d*$/.test(digits) ? digits.length + "/16" : d.msgLength;
      if (digits.length > 16 || !/^\d*$/.test(digits)) hint.classList.add("error");
      return;
    }
    var day = parseInt(digits.slice(6, 8), 10), month = parseInt(digits.slice(8, 10), 10);
    var yy = parseInt(digits.slice(10, 12), 10);
    var sex = day > 40 ? "P" : "L";
    if (day > 40) day -= 40;
    var cutoff = (new Date().getFullYear() - 18) % 100;
    var year = yy <= cutoff ? 2000 + yy : 1900 + yy;
    if (!realDate(year, month, day)) { hint.textContent = d.msgDate; hint.classList.add("error"); return; }
    if (digits.slice(12) === "0000") { hint.textContent = d.msgSerial; hint.classList.add("error"); return; }
    var iso = year + "-" + pad(month) + "-" + pad(day);
    hint.textContent = d.msgOk.replace("%(sex)s", d["label" + sex]).replace("%(date)s", pad(day) + "-" + pad(month) + "-" + year);
    var radios = form.querySelectorAll("input[name=sex]");
    var chosen = Array.prototype.some.call(radios, function (r) { return r.checked; });
    if (!chosen) Array.prototype.forEach.call(radios, function (r) { r.checked = r.value === sex; });
    var birth = form.querySelector("input[name=birth_date]");
    if (birth && !birth.value) birth.value = iso;
  }

  input.addEventListener("input", check);
  check();
})();

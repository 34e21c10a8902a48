/* The beneficiary pays a checkpoint's online payment with their card (Stripe.js).
 *
 * The form carries the public key and the PaymentIntent's client secret (data attributes).
 * Stripe.js collects the card in its own field and confirms the payment with Stripe; the
 * browser then posts the form back and the SERVER re-reads the PaymentIntent from Stripe before
 * saying "payment received": what this script says is never trusted.
 */
(function () {
  "use strict";
  var form = document.getElementById("pay-form");
  if (!form) { return; }
  var button = document.getElementById("pay-button");
  var errors = document.getElementById("card-errors");
  var progress = document.getElementById("pay-progress");
  var data = form.dataset;

  function showError(message) {
    progress.textContent = "";
    errors.textContent = message;           // role=alert: read out at once
    errors.focus();
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }

  if (typeof window.Stripe !== "function") {
    showError(data.msgUnavailable);
    button.disabled = true;
    return;
  }

  var stripe = window.Stripe(data.publishableKey, {locale: data.locale || "fr"});
  var elements = stripe.elements({locale: data.locale || "fr"});
  var card = elements.create("card", {
    hidePostalCode: true,
    style: {base: {fontSize: "18px", lineHeight: "28px", color: "#1b1b1b"}}
  });
  card.mount("#card-element");
  button.disabled = false;
  card.on("change", function (event) {
    // Stripe.js tells what is wrong with the card as it is typed
    errors.textContent = event && event.error ? event.error.message : "";
  });

  var busy = false;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (busy) { return; }
    busy = true;
    errors.textContent = "";
    progress.textContent = data.msgWorking;
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    stripe.confirmCardPayment(data.clientSecret, {payment_method: {card: card}})
      .then(function (result) {
        var intent = result && result.paymentIntent;
        if (result && result.error) {
          busy = false;
          showError((result.error.message ? result.error.message + " " : "") + data.msgFailed);
        } else if (intent && (intent.status === "succeeded" || intent.status === "processing")) {
          // the server re-reads the PaymentIntent from Stripe and says what it found
          progress.textContent = data.msgChecking;
          form.submit();
        } else {
          busy = false;
          showError(data.msgFailed);
        }
      }, function () {
        busy = false;
        showError(data.msgFailed);
      });
  });
}());

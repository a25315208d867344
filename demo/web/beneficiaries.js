// "Beneficiaries": provider API calls in proxy mode. Each call goes to the
// dev server's intermediary as a Qonto request descriptor; the server adds
// the provider token.
import { showStatus, explain, armForm } from "/static/ui.js";
import { needsSignIn, onSessionChange } from "/static/session.js";

const $ = (id) => document.getElementById(id);

// The provider names a bad field by JSON pointer into the body it got;
// these are the form's labels and inputs for them.
const fields = {
  "/beneficiary/name": { label: "Name", input: "ben-name" },
  "/beneficiary/email": { label: "Email", input: "ben-email" },
  "/beneficiary/activity_tag": { label: "Activity tag", input: "ben-tag" },
};

/** "Email: must be an email address…", one sentence per field; marks and focuses the inputs. */
function invalidFields(errors) {
  const lines = [];
  let first = null;
  for (const err of errors || []) {
    const field = fields[err.source?.pointer];
    if (field) {
      $(field.input).setAttribute("aria-invalid", "true");
      first ??= $(field.input);
    }
    lines.push(`${field ? field.label : "This change"}: ${err.detail || "not valid"}.`);
  }
  first?.focus();
  return lines.length ? lines.join(" ") : "Some fields are not valid. Check the form.";
}

function clearInvalid() {
  for (const f of Object.values(fields)) $(f.input).removeAttribute("aria-invalid");
}

function forgetList() {
  $("ben-form").hidden = true;
  $("ben-table").hidden = true;
  $("ben-rows").replaceChildren();
}
// The panel's state, shared by its handlers. The module is mounted once per
// page, so one object serves.
const panel = {
  client: null,
  status: null,
  editing: null, // the beneficiary the form is editing
};

function clearStatus() {
  panel.status.replaceChildren();
  panel.status.className = "status";
}

function fail(e) {
  const { status } = panel;
  if (e.status === 428) {
    showStatus(status, "error", "The bank wants you to confirm this change (strong customer authentication).", `${e.code} ${e.status}`);
    return;
  }
  if (e.status === 422) {
    showStatus(status, "error", invalidFields(e.body?.errors), `${e.code} ${e.status}`);
    return;
  }
  const { text, detail } = explain(e.body?.code || e.code, e.body?.message || e.message);
  showStatus(status, "error", text, detail);
}

async function load() {
  const { status } = panel;
  if (needsSignIn(status)) return;
  showStatus(status, "busy", "Loading…");
  try {
    const res = await panel.client.request({ method: "GET", path: "/v2/sepa/beneficiaries", query: { per_page: 25 } });
    render(res.body.beneficiaries || []);
    showStatus(status, "ok", `${res.body.meta?.total_count ?? res.body.beneficiaries.length} beneficiaries.`);
  } catch (e) {
    fail(e);
  }
}

function render(items) {
  $("ben-rows").replaceChildren(...items.map(renderRow));
  $("ben-table").hidden = false;
}

function renderRow(b) {
  const tr = document.createElement("tr");
  tr.dataset.id = b.id;
  const who = document.createElement("td");
  const email = document.createElement("span");
  email.className = "sub";
  email.textContent = b.email || "no email";
  who.append(b.name, email);
  const tag = document.createElement("td");
  tag.textContent = (b.activity_tag || "—").replaceAll("_", " ");
  tr.append(who, tag);
  const td = document.createElement("td");
  const edit = document.createElement("button");
  edit.type = "button";
  edit.className = "secondary";
  edit.textContent = "Edit";
  edit.addEventListener("click", () => openEditor(b));
  td.append(edit);
  tr.append(td);
  return tr;
}

function openEditor(b) {
  panel.editing = b;
  clearInvalid();
  $("ben-form-title").textContent = "Edit " + b.name;
  $("ben-name").value = b.name;
  $("ben-email").value = b.email || "";
  // An email once set can be changed but not removed (see save).
  $("ben-email").required = Boolean(b.email);
  $("ben-tag").value = "";
  $("ben-form").hidden = false;
}

async function save(ev) {
  ev.preventDefault();
  clearInvalid();
  // The provider takes no empty email (it has no way to remove one):
  // an empty field is left out, so the email stays as it was.
  const beneficiary = { name: $("ben-name").value };
  if ($("ben-email").value) beneficiary.email = $("ben-email").value;
  if ($("ben-tag").value) beneficiary.activity_tag = $("ben-tag").value;
  showStatus(panel.status, "busy", "Saving…");
  try {
    const path = `/v2/sepa/beneficiaries/${encodeURIComponent(panel.editing.id)}`;
    await panel.client.request({ method: "PATCH", path, body: { beneficiary } });
    $("ben-form").hidden = true;
    await load();
    showStatus(panel.status, "ok", "Beneficiary saved.");
  } catch (e) {
    fail(e);
  }
}

function cancel() {
  $("ben-form").hidden = true;
  clearInvalid();
  clearStatus(); // an error about the abandoned edit no longer applies
}

// Signed out: nothing of the previous user's list stays on screen.
function onSignedOut(isSignedIn) {
  if (isSignedIn) return;
  panel.editing = null;
  forgetList();
  clearStatus();
}

export function mountBeneficiaries(sb) {
  panel.client = sb.createClient({
    proxyEndpointDescriptor: {
      path: "/api/embed-intermediary",
      method: "POST",
      options: { headers: { "X-Sealbridge-Request": "1" } },
    },
  });
  panel.status = $("ben-status");
  $("ben-form").addEventListener("submit", save);
  armForm($("ben-form"));
  $("ben-cancel").addEventListener("click", cancel);
  onSessionChange(onSignedOut);
  $("ben-load").addEventListener("click", load);
  $("ben-load").disabled = false;
}

(function(){const n=document.createElement("link").relList;if(n&&n.supports&&n.supports("modulepreload"))return;for(const i of document.querySelectorAll('link[rel="modulepreload"]'))r(i);new MutationObserver(i=>{for(const o of i)if(o.type==="childList")for(const u of o.addedNodes)u.tagName==="LINK"&&u.rel==="modulepreload"&&r(u)}).observe(document,{childList:!0,subtree:!0});function t(i){const o={};return i.integrity&&(o.integrity=i.integrity),i.referrerPolicy&&(o.referrerPolicy=i.referrerPolicy),i.crossOrigin==="use-credentials"?o.credentials="include":i.crossOrigin==="anonymous"?o.credentials="omit":o.credentials="same-origin",o}function r(i){if(i.ep)return;i.ep=!0;const o=t(i);fetch(i.href,o)}})();function s(e,n={},...t){const r=document.createElement(e);for(const[i,o]of Object.entries(n))o==null||o===!1||(i.startsWith("on")&&typeof o=="function"?r.addEventListener(i.slice(2).toLowerCase(),o):i==="value"&&"value"in r?r.value=String(o):i==="checked"&&"checked"in r?r.checked=!!o:r.setAttribute(i,o===!0?"":String(o)));return z(r,t),r}function z(e,n){for(const t of n)t==null||t===!1||(Array.isArray(t)?z(e,t):e.appendChild(typeof t=="string"?document.createTextNode(t):t))}function Be(e,...n){e.replaceChildren(),z(e,n)}function Oe(e,n=!1){return window.__TAURI_INTERNALS__.transformCallback(e,n)}async function Re(e){return y(`plugin:${e}|check_permissions`)}async function Te(e){return y(`plugin:${e}|request_permissions`)}async function y(e,n={},t){return window.__TAURI_INTERNALS__.invoke(e,n,t)}var Y;(function(e){e.WINDOW_RESIZED="tauri://resize",e.WINDOW_MOVED="tauri://move",e.WINDOW_CLOSE_REQUESTED="tauri://close-requested",e.WINDOW_DESTROYED="tauri://destroyed",e.WINDOW_FOCUS="tauri://focus",e.WINDOW_BLUR="tauri://blur",e.WINDOW_SCALE_FACTOR_CHANGED="tauri://scale-change",e.WINDOW_THEME_CHANGED="tauri://theme-changed",e.WINDOW_CREATED="tauri://window-created",e.WINDOW_SUSPENDED="tauri://suspended",e.WINDOW_RESUMED="tauri://resumed",e.WEBVIEW_CREATED="tauri://webview-created",e.DRAG_ENTER="tauri://drag-enter",e.DRAG_OVER="tauri://drag-over",e.DRAG_DROP="tauri://drag-drop",e.DRAG_LEAVE="tauri://drag-leave"})(Y||(Y={}));async function De(e,n){window.__TAURI_EVENT_PLUGIN_INTERNALS__.unregisterListener(e,n),await y("plugin:event|unlisten",{event:e,eventId:n})}async function Le(e,n,t){var r;const i=(r=void 0)!==null&&r!==void 0?r:{kind:"Any"};return y("plugin:event|listen",{event:e,target:i,handler:Oe(n)}).then(o=>async()=>De(e,o))}function Ce(e){return typeof e=="object"&&e!==null&&"code"in e&&"message"in e}function m(e,n){return y(e,n).catch(t=>{throw Ce(t)?t:{code:"internal",message:String(t)}})}const p={status:()=>m("app_status"),enrol:(e,n)=>m("enrol",{server:e,code:n}),createPin:e=>m("create_pin",{pin:e}),trainingProfile:(e,n)=>m("training_profile",{name:e,pin:n}),unlock:e=>m("unlock",{pin:e}),lock:()=>m("lock"),home:e=>m("home",{language:e}),startInterview:(e,n)=>m("start_interview",{assignmentId:e,questionnaire:n}),openInterview:e=>m("open_interview",{id:e}),answer:(e,n)=>m("answer",{path:e,value:n}),confirmWarning:e=>m("confirm_warning",{path:e}),addRow:e=>m("add_row",{roster:e}),removeRow:e=>m("remove_row",{row:e}),navigate:e=>m("navigate",{nav:e}),setLanguage:e=>m("set_language",{language:e}),review:()=>m("review"),complete:()=>m("complete"),closeInterview:()=>m("close_interview"),sync:()=>m("sync"),onSyncProgress:e=>Le("sync-progress",n=>e(n.payload))};class D{constructor(n){this.value=n}valueOf(){return this.value}}class f extends D{constructor(n="???"){super(n)}toString(n){return`{${this.value}}`}}class g extends D{constructor(n,t={}){super(n),this.opts=t}toString(n){try{return n.memoizeIntlObject(Intl.NumberFormat,this.opts).format(this.value)}catch(t){return n.reportError(t),this.value.toString(10)}}}class M extends D{constructor(n,t={}){super(n),this.opts=t}toString(n){try{return n.memoizeIntlObject(Intl.DateTimeFormat,this.opts).format(this.value)}catch(t){return n.reportError(t),new Date(this.value).toISOString()}}}const ee=100,qe="⁨",xe="⁩";function Pe(e,n,t){if(t===n||t instanceof g&&n instanceof g&&t.value===n.value)return!0;if(n instanceof g&&typeof t=="string"){let r=e.memoizeIntlObject(Intl.PluralRules,n.opts).select(n.value);if(t===r)return!0}return!1}function ne(e,n,t){return n[t]?N(e,n[t].value):(e.reportError(new RangeError("No default")),new f)}function j(e,n){const t=[],r=Object.create(null);for(const i of n)i.type==="narg"?r[i.name]=A(e,i.value):t.push(A(e,i));return{positional:t,named:r}}function A(e,n){switch(n.type){case"str":return n.value;case"num":return new g(n.value,{minimumFractionDigits:n.precision});case"var":return je(e,n);case"mesg":return We(e,n);case"term":return ze(e,n);case"func":return Fe(e,n);case"select":return Ve(e,n);default:return new f}}function je(e,{name:n}){let t;if(e.params)if(Object.prototype.hasOwnProperty.call(e.params,n))t=e.params[n];else return new f(`$${n}`);else if(e.args&&Object.prototype.hasOwnProperty.call(e.args,n))t=e.args[n];else return e.reportError(new ReferenceError(`Unknown variable: $${n}`)),new f(`$${n}`);if(t instanceof D)return t;switch(typeof t){case"string":return t;case"number":return new g(t);case"object":if(t instanceof Date)return new M(t.getTime());default:return e.reportError(new TypeError(`Variable type not supported: $${n}, ${typeof t}`)),new f(`$${n}`)}}function We(e,{name:n,attr:t}){const r=e.bundle._messages.get(n);if(!r)return e.reportError(new ReferenceError(`Unknown message: ${n}`)),new f(n);if(t){const i=r.attributes[t];return i?N(e,i):(e.reportError(new ReferenceError(`Unknown attribute: ${t}`)),new f(`${n}.${t}`))}return r.value?N(e,r.value):(e.reportError(new ReferenceError(`No value: ${n}`)),new f(n))}function ze(e,{name:n,attr:t,args:r}){const i=`-${n}`,o=e.bundle._terms.get(i);if(!o)return e.reportError(new ReferenceError(`Unknown term: ${i}`)),new f(i);if(t){const d=o.attributes[t];if(d){e.params=j(e,r).named;const R=N(e,d);return e.params=null,R}return e.reportError(new ReferenceError(`Unknown attribute: ${t}`)),new f(`${i}.${t}`)}e.params=j(e,r).named;const u=N(e,o.value);return e.params=null,u}function Fe(e,{name:n,args:t}){let r=e.bundle._functions[n];if(!r)return e.reportError(new ReferenceError(`Unknown function: ${n}()`)),new f(`${n}()`);if(typeof r!="function")return e.reportError(new TypeError(`Function ${n}() is not callable`)),new f(`${n}()`);try{let i=j(e,t);return r(i.positional,i.named)}catch(i){return e.reportError(i),new f(`${n}()`)}}function Ve(e,{selector:n,variants:t,star:r}){let i=A(e,n);if(i instanceof f)return ne(e,t,r);for(const o of t){const u=A(e,o.key);if(Pe(e,i,u))return N(e,o.value)}return ne(e,t,r)}function _e(e,n){if(e.dirty.has(n))return e.reportError(new RangeError("Cyclic reference")),new f;e.dirty.add(n);const t=[],r=e.bundle._useIsolating&&n.length>1;for(const i of n){if(typeof i=="string"){t.push(e.bundle._transform(i));continue}if(e.placeables++,e.placeables>ee)throw e.dirty.delete(n),new RangeError(`Too many placeables expanded: ${e.placeables}, max allowed is ${ee}`);r&&t.push(qe),t.push(A(e,i).toString(e)),r&&t.push(xe)}return e.dirty.delete(n),t.join("")}function N(e,n){return typeof n=="string"?e.bundle._transform(n):_e(e,n)}class He{constructor(n,t,r){this.dirty=new WeakSet,this.params=null,this.placeables=0,this.bundle=n,this.errors=t,this.args=r}reportError(n){if(!this.errors||!(n instanceof Error))throw n;this.errors.push(n)}memoizeIntlObject(n,t){let r=this.bundle._intls.get(n);r||(r={},this.bundle._intls.set(n,r));let i=JSON.stringify(t);return r[i]||(r[i]=new n(this.bundle.locales,t)),r[i]}}function B(e,n){const t=Object.create(null);for(const[r,i]of Object.entries(e))n.includes(r)&&(t[r]=i.valueOf());return t}const te=["unitDisplay","currencyDisplay","useGrouping","minimumIntegerDigits","minimumFractionDigits","maximumFractionDigits","minimumSignificantDigits","maximumSignificantDigits"];function Ge(e,n){let t=e[0];if(t instanceof f)return new f(`NUMBER(${t.valueOf()})`);if(t instanceof g)return new g(t.valueOf(),{...t.opts,...B(n,te)});if(t instanceof M)return new g(t.valueOf(),{...B(n,te)});throw new TypeError("Invalid argument to NUMBER")}const re=["dateStyle","timeStyle","fractionalSecondDigits","dayPeriod","hour12","weekday","era","year","month","day","hour","minute","second","timeZoneName"];function Ke(e,n){let t=e[0];if(t instanceof f)return new f(`DATETIME(${t.valueOf()})`);if(t instanceof M)return new M(t.valueOf(),{...t.opts,...B(n,re)});if(t instanceof g)return new M(t.valueOf(),{...B(n,re)});throw new TypeError("Invalid argument to DATETIME")}const se=new Map;function Qe(e){const n=Array.isArray(e)?e.join(" "):e;let t=se.get(n);return t===void 0&&(t=new Map,se.set(n,t)),t}class Ze{constructor(n,{functions:t,useIsolating:r=!0,transform:i=o=>o}={}){this._terms=new Map,this._messages=new Map,this.locales=Array.isArray(n)?n:[n],this._functions={NUMBER:Ge,DATETIME:Ke,...t},this._useIsolating=r,this._transform=i,this._intls=Qe(n)}hasMessage(n){return this._messages.has(n)}getMessage(n){return this._messages.get(n)}addResource(n,{allowOverrides:t=!1}={}){const r=[];for(let i=0;i<n.body.length;i++){let o=n.body[i];if(o.id.startsWith("-")){if(t===!1&&this._terms.has(o.id)){r.push(new Error(`Attempt to override an existing term: "${o.id}"`));continue}this._terms.set(o.id,o)}else{if(t===!1&&this._messages.has(o.id)){r.push(new Error(`Attempt to override an existing message: "${o.id}"`));continue}this._messages.set(o.id,o)}}return r}formatPattern(n,t=null,r=null){if(typeof n=="string")return this._transform(n);let i=new He(this,r,t);try{return _e(i,n).toString(i)}catch(o){if(i.errors&&o instanceof Error)return i.errors.push(o),new f().toString(i);throw o}}}const q=/^(-?[a-zA-Z][\w-]*) *= */gm,ie=/\.([a-zA-Z][\w-]*) *= */y,Xe=/\*?\[/y,x=/(-?[0-9]+(?:\.([0-9]+))?)/y,Je=/([a-zA-Z][\w-]*)/y,oe=/([$-])?([a-zA-Z][\w-]*)(?:\.([a-zA-Z][\w-]*))?/y,Ye=/^[A-Z][A-Z0-9_-]*$/,U=/([^{}\n\r]+)/y,en=/([^\\"\n\r]*)/y,ae=/\\([\\"])/y,le=/\\u([a-fA-F0-9]{4})|\\U([a-fA-F0-9]{6})/y,nn=/^\n+/,ce=/ +$/,tn=/ *\r?\n/g,rn=/( *)$/,sn=/{\s*/y,ue=/\s*}/y,on=/\[\s*/y,an=/\s*] */y,ln=/\s*\(\s*/y,cn=/\s*->\s*/y,un=/\s*:\s*/y,dn=/\s*,?\s*/y,pn=/\s+/y;class hn{constructor(n){this.body=[],q.lastIndex=0;let t=0;for(;;){let l=q.exec(n);if(l===null)break;t=q.lastIndex;try{this.body.push(R(l[1]))}catch(c){if(c instanceof SyntaxError)continue;throw c}}function r(l){return l.lastIndex=t,l.test(n)}function i(l,c){if(n[t]===l)return t++,!0;if(c)throw new c(`Expected ${l}`);return!1}function o(l,c){if(r(l))return t=l.lastIndex,!0;if(c)throw new c(`Expected ${l.toString()}`);return!1}function u(l){l.lastIndex=t;let c=l.exec(n);if(c===null)throw new SyntaxError(`Expected ${l.toString()}`);return t=l.lastIndex,c}function d(l){return u(l)[1]}function R(l){let c=_(),h=I();if(c===null&&Object.keys(h).length===0)throw new SyntaxError("Expected message value or attributes");return{id:l,value:c,attributes:h}}function I(){let l=Object.create(null);for(;r(ie);){let c=d(ie),h=_();if(h===null)throw new SyntaxError("Expected attribute value");l[c]=h}return l}function _(){let l;if(r(U)&&(l=d(U)),n[t]==="{"||n[t]==="}")return k(l?[l]:[],1/0);let c=X();return c?l?k([l,c],c.length):(c.value=C(c.value,nn),k([c],c.length)):l?C(l,ce):null}function k(l=[],c){for(;;){if(r(U)){l.push(d(U));continue}if(n[t]==="{"){l.push(G());continue}if(n[t]==="}")throw new SyntaxError("Unbalanced closing brace");let v=X();if(v){l.push(v),c=Math.min(c,v.length);continue}break}let h=l.length-1,E=l[h];typeof E=="string"&&(l[h]=C(E,ce));let S=[];for(let v of l)v instanceof de&&(v=v.value.slice(0,v.value.length-c)),v&&S.push(v);return S}function G(){o(sn,SyntaxError);let l=K();if(o(ue))return l;if(o(cn)){let c=Me();return o(ue,SyntaxError),{type:"select",selector:l,...c}}throw new SyntaxError("Unclosed placeable")}function K(){if(n[t]==="{")return G();if(r(oe)){let[,l,c,h=null]=u(oe);if(l==="$")return{type:"var",name:c};if(o(ln)){let E=ke();if(l==="-")return{type:"term",name:c,attr:h,args:E};if(Ye.test(c))return{type:"func",name:c,args:E};throw new SyntaxError("Function names must be all upper-case")}return l==="-"?{type:"term",name:c,attr:h,args:[]}:{type:"mesg",name:c,attr:h}}return Q()}function ke(){let l=[];for(;;){switch(n[t]){case")":return t++,l;case void 0:throw new SyntaxError("Unclosed argument list")}l.push(Se()),o(dn)}}function Se(){let l=K();return l.type!=="mesg"?l:o(un)?{type:"narg",name:l.name,value:Q()}:l}function Me(){let l=[],c=0,h;for(;r(Xe);){i("*")&&(h=c);let E=Ae(),S=_();if(S===null)throw new SyntaxError("Expected variant value");l[c++]={key:E,value:S}}if(c===0)return null;if(h===void 0)throw new SyntaxError("Expected default variant");return{variants:l,star:h}}function Ae(){o(on,SyntaxError);let l;return r(x)?l=Z():l={type:"str",value:d(Je)},o(an,SyntaxError),l}function Q(){if(r(x))return Z();if(n[t]==='"')return Ie();throw new SyntaxError("Invalid expression")}function Z(){let[,l,c=""]=u(x),h=c.length;return{type:"num",value:parseFloat(l),precision:h}}function Ie(){i('"',SyntaxError);let l="";for(;;){if(l+=d(en),n[t]==="\\"){l+=Ue();continue}if(i('"'))return{type:"str",value:l};throw new SyntaxError("Unclosed string literal")}}function Ue(){if(r(ae))return d(ae);if(r(le)){let[,l,c]=u(le),h=parseInt(l||c,16);return h<=55295||57344<=h?String.fromCodePoint(h):"�"}throw new SyntaxError("Unknown escape sequence")}function X(){let l=t;switch(o(pn),n[t]){case".":case"[":case"*":case"}":case void 0:return!1;case"{":return J(n.slice(l,t))}return n[t-1]===" "?J(n.slice(l,t)):!1}function C(l,c){return l.replace(c,"")}function J(l){let c=l.replace(tn,`
`),h=rn.exec(l)[1].length;return new de(c,h)}}}class de{constructor(n,t){this.value=n,this.length=t}}const fn=`app-title = Daftar
lang-name = Français
lang-switch = Langue
# Enrolment and PIN
enrol-title = Enregistrer cette tablette
enrol-intro = Saisissez l'adresse du serveur et le code à usage unique donné par votre superviseur, ou scannez le code QR.
enrol-server = Adresse du serveur
enrol-code = Code d'enregistrement
enrol-scan = Scanner le code QR
enrol-submit = Enregistrer
enrol-training = Mode formation (sans serveur)
pin-create-title = Choisissez votre code PIN
pin-create-intro = De 4 à 12 chiffres. Il protège les entretiens sur cette tablette.
pin-label = Code PIN
pin-confirm = Confirmez le code PIN
pin-mismatch = Les deux codes PIN ne sont pas identiques.
pin-unlock-title = Bonjour { $name }
pin-unlock-intro = Saisissez votre code PIN pour déverrouiller.
pin-submit = Déverrouiller
pin-create-submit = Enregistrer le code PIN
lock = Verrouiller
locked-after = L'application se verrouille après { NUMBER($minutes) ->
    [one] { NUMBER($minutes) } minute
   *[other] { NUMBER($minutes) } minutes
  } d'inactivité.
# Home
home-title = Mon travail
home-search = Rechercher
home-new = Nouvel entretien
home-empty = Rien ici pour le moment.
home-last-sync = Dernière synchronisation : { $when }
home-never-synced = Jamais synchronisé
home-count = { NUMBER($count) ->
    [0] aucun entretien
    [one] { NUMBER($count) } entretien
   *[other] { NUMBER($count) } entretiens
  }
status-to_start = À commencer
status-in_progress = En cours
status-completed = Terminés
status-sent = Envoyés
status-approved = Approuvés
status-rejected = Rejetés avec commentaires
quota-title = Mes quotas
quota-open = Ouvert
quota-nearly_full = Presque plein
quota-full = Plein
quota-fill = { NUMBER($fill) } / { NUMBER($target) }
open = Ouvrir
start = Commencer
receipt = Reçu n° { $sequence } ({ $when })
assignment-quantity = { $used } entretien(s) sur { $quantity } réalisé(s)
assignment-unlimited = { $used ->
    [one] { $used } entretien réalisé
   *[other] { $used } entretiens réalisés
 }, sans limite
supervisor-note = Note du superviseur : { $note }
# Interview
nav-previous = Précédent
nav-next = Suivant
nav-sections = Sections
nav-review = Vérifier et terminer
nav-home = Accueil
screen-position = { NUMBER($position) } sur { NUMBER($count) }
required = obligatoire
confirm-warning = Je confirme
warning-confirmed = Avertissement confirmé
clear-answer = Effacer
search-list = Rechercher dans la liste
no-match = Aucun résultat
amount = Montant
currency = Devise
gps-capture = Relever la position
gps-accuracy = Précision : { NUMBER($metres, maximumFractionDigits: 0) } m
gps-unavailable = Position indisponible
gps-capturing = Recherche de la position…
gps-denied = Accès à la position refusé : autorisez-le dans les réglages de la tablette.
roster-add = Ajouter une ligne
roster-remove = Supprimer
roster-open = Ouvrir
roster-overview = Vue d'ensemble
roster-empty = Aucune ligne
roster-progress = { NUMBER($answered) } / { NUMBER($questions) }
section-progress = { NUMBER($answered) } / { NUMBER($questions) }
section-done = Terminée
section-problems = { NUMBER($count) ->
    [one] { NUMBER($count) } problème
   *[other] { NUMBER($count) } problèmes
  }
comment = Commentaire du superviseur
yes = Oui
no = Non
acknowledge = OK
# Review
review-title = Vérification avant de terminer
review-answered = { NUMBER($answered) } réponses sur { NUMBER($questions) } questions
review-unanswered = Sans réponse
review-error = Erreur
review-warning = Avertissement
review-comment = Commentaire
review-all-good = Tout est prêt.
review-complete = Terminer l'entretien
review-back = Revenir à l'entretien
review-go = Aller à la question
# Sync
sync = Synchroniser
sync-running = Synchronisation…
sync-upload = Envoi { NUMBER($done) } / { NUMBER($total) }
sync-download = Réception des mises à jour
sync-done = Synchronisation terminée : { NUMBER($sent) } envoyé(s), { NUMBER($rejected) } rejeté(s), { NUMBER($assignments) } affectation(s).
sync-receipts = Reçus
sync-automatic = Réseau retrouvé : synchronisation automatique.
# Errors
error-wrong_pin = Code PIN incorrect.
error-locked_out = Trop d'essais. Réessayez dans { NUMBER($seconds) } secondes.
error-bad_pin = Le code PIN doit compter de 4 à 12 chiffres.
error-locked = L'application est verrouillée.
error-not_enrolled = La tablette n'est pas encore enregistrée.
error-no_interview = Aucun entretien ouvert.
error-not_found = Introuvable.
error-rejected_step = Cette réponse n'a pas été acceptée.
error-questionnaire = Le questionnaire ne peut pas être chargé.
error-incomplete = L'entretien n'est pas complet.
error-network = Pas de connexion au serveur. Vos données restent sur la tablette ; réessayez plus tard.
error-unauthorised = Le serveur a refusé cette tablette. Contactez votre superviseur.
error-bad_code = Code d'enregistrement invalide ou expiré.
error-server = Le serveur a signalé une erreur. Réessayez plus tard.
error-upload = Certains entretiens n'ont pas pu être envoyés ; ils restent dans la tablette.
error-store = Erreur de stockage sur la tablette.
error-local = Erreur sur la tablette.
error-internal = Erreur inattendue.
error-quantity_reached = Cette affectation a déjà tous ses entretiens.
error-scan_unavailable = Cet appareil n'a pas de lecteur de code : saisissez l'adresse du serveur et le code.
error-camera_denied = Accès à la caméra refusé : autorisez-le dans les réglages de la tablette, ou saisissez le code.
error-scan_cancelled = Lecture annulée.
error-scan_not_enrolment = Ce code QR n'est pas un code d'inscription Daftar.
`,mn=`app-title = دفتر
lang-name = العربية
lang-switch = اللغة
# Enrolment and PIN
enrol-title = تسجيل هذا اللوح
enrol-intro = أدخل عنوان الخادم والرمز الصالح لمرة واحدة الذي أعطاك إياه المشرف، أو امسح رمز QR.
enrol-server = عنوان الخادم
enrol-code = رمز التسجيل
enrol-scan = مسح رمز QR
enrol-submit = تسجيل
enrol-training = وضع التدريب (بدون خادم)
pin-create-title = اختر رمزك السري
pin-create-intro = من 4 إلى 12 رقمًا. يحمي المقابلات على هذا اللوح.
pin-label = الرمز السري
pin-confirm = أكّد الرمز السري
pin-mismatch = الرمزان غير متطابقين.
pin-unlock-title = مرحبًا { $name }
pin-unlock-intro = أدخل رمزك السري لفتح التطبيق.
pin-submit = فتح
pin-create-submit = حفظ الرمز السري
lock = قفل
locked-after = يُقفل التطبيق بعد { NUMBER($minutes) ->
    [zero] { NUMBER($minutes) } دقيقة
    [one] دقيقة واحدة
    [two] دقيقتين
    [few] { NUMBER($minutes) } دقائق
    [many] { NUMBER($minutes) } دقيقة
   *[other] { NUMBER($minutes) } دقيقة
  } من عدم الاستعمال.
# Home
home-title = عملي
home-search = بحث
home-new = مقابلة جديدة
home-empty = لا شيء هنا حاليًا.
home-last-sync = آخر مزامنة: { $when }
home-never-synced = لم تتم أي مزامنة
home-count = { NUMBER($count) ->
    [zero] لا توجد مقابلات
    [one] مقابلة واحدة
    [two] مقابلتان
    [few] { NUMBER($count) } مقابلات
    [many] { NUMBER($count) } مقابلة
   *[other] { NUMBER($count) } مقابلة
  }
status-to_start = للبدء
status-in_progress = قيد الإنجاز
status-completed = مكتملة
status-sent = مُرسلة
status-approved = مقبولة
status-rejected = مرفوضة مع ملاحظات
quota-title = حصصي
quota-open = مفتوحة
quota-nearly_full = شبه ممتلئة
quota-full = ممتلئة
quota-fill = { NUMBER($fill) } / { NUMBER($target) }
open = فتح
start = بدء
receipt = إيصال رقم { $sequence } ({ $when })
assignment-quantity = أُنجزت { $used } مقابلة من أصل { $quantity }
assignment-unlimited = أُنجزت { $used } مقابلة، دون حد
supervisor-note = ملاحظة المشرف: { $note }
# Interview
nav-previous = السابق
nav-next = التالي
nav-sections = الأقسام
nav-review = المراجعة والإنهاء
nav-home = الرئيسية
screen-position = { NUMBER($position) } من { NUMBER($count) }
required = إجباري
confirm-warning = أؤكد
warning-confirmed = تم تأكيد التنبيه
clear-answer = مسح
search-list = البحث في القائمة
no-match = لا توجد نتيجة
amount = المبلغ
currency = العملة
gps-capture = تسجيل الموقع
gps-accuracy = الدقة: { NUMBER($metres, maximumFractionDigits: 0) } م
gps-unavailable = الموقع غير متاح
gps-capturing = جارٍ تحديد الموقع…
gps-denied = تم رفض الوصول إلى الموقع: اسمح به في إعدادات اللوحة.
roster-add = إضافة سطر
roster-remove = حذف
roster-open = فتح
roster-overview = نظرة عامة
roster-empty = لا توجد أسطر
roster-progress = { NUMBER($answered) } / { NUMBER($questions) }
section-progress = { NUMBER($answered) } / { NUMBER($questions) }
section-done = مكتمل
section-problems = { NUMBER($count) ->
    [zero] لا مشاكل
    [one] مشكلة واحدة
    [two] مشكلتان
    [few] { NUMBER($count) } مشاكل
    [many] { NUMBER($count) } مشكلة
   *[other] { NUMBER($count) } مشكلة
  }
comment = ملاحظة المشرف
yes = نعم
no = لا
acknowledge = حسنًا
# Review
review-title = المراجعة قبل الإنهاء
review-answered = { NUMBER($answered) } إجابة من أصل { NUMBER($questions) } سؤال
review-unanswered = بدون إجابة
review-error = خطأ
review-warning = تنبيه
review-comment = ملاحظة
review-all-good = كل شيء جاهز.
review-complete = إنهاء المقابلة
review-back = الرجوع إلى المقابلة
review-go = الذهاب إلى السؤال
# Sync
sync = مزامنة
sync-running = جارٍ المزامنة…
sync-upload = إرسال { NUMBER($done) } / { NUMBER($total) }
sync-download = استلام التحديثات
sync-done = انتهت المزامنة: { NUMBER($sent) } مُرسلة، { NUMBER($rejected) } مرفوضة، { NUMBER($assignments) } مهمة.
sync-receipts = الإيصالات
sync-automatic = عادت الشبكة: مزامنة تلقائية.
# Errors
error-wrong_pin = الرمز السري غير صحيح.
error-locked_out = محاولات كثيرة. أعد المحاولة بعد { NUMBER($seconds) } ثانية.
error-bad_pin = يجب أن يتكون الرمز السري من 4 إلى 12 رقمًا.
error-locked = التطبيق مقفل.
error-not_enrolled = هذا اللوح غير مسجل بعد.
error-no_interview = لا توجد مقابلة مفتوحة.
error-not_found = غير موجود.
error-rejected_step = لم تُقبل هذه الإجابة.
error-questionnaire = تعذر تحميل الاستمارة.
error-incomplete = المقابلة غير مكتملة.
error-network = لا يوجد اتصال بالخادم. تبقى بياناتك على اللوح؛ أعد المحاولة لاحقًا.
error-unauthorised = رفض الخادم هذا اللوح. اتصل بمشرفك.
error-bad_code = رمز التسجيل غير صالح أو منتهي الصلاحية.
error-server = أبلغ الخادم عن خطأ. أعد المحاولة لاحقًا.
error-upload = تعذر إرسال بعض المقابلات؛ تبقى على اللوح.
error-store = خطأ في التخزين على اللوح.
error-local = خطأ على اللوح.
error-internal = خطأ غير متوقع.
error-quantity_reached = هذه المهمة لديها جميع مقابلاتها بالفعل.
error-scan_unavailable = لا يتوفر هذا الجهاز على قارئ رموز: أدخل عنوان الخادم والرمز.
error-camera_denied = تم رفض الوصول إلى الكاميرا: اسمح به في إعدادات اللوحة، أو أدخل الرمز.
error-scan_cancelled = تم إلغاء المسح.
error-scan_not_enrolment = رمز QR هذا ليس رمز تسجيل في دفتر.
`,vn=`app-title = Daftar
lang-name = English
lang-switch = Language
# Enrolment and PIN
enrol-title = Enrol this tablet
enrol-intro = Enter the server address and the one-time code from your supervisor, or scan the QR code.
enrol-server = Server address
enrol-code = Enrolment code
enrol-scan = Scan QR code
enrol-submit = Enrol
enrol-training = Training mode (no server)
pin-create-title = Choose your PIN
pin-create-intro = 4 to 12 digits. It protects the interviews on this tablet.
pin-label = PIN
pin-confirm = Confirm PIN
pin-mismatch = The two PINs differ.
pin-unlock-title = Hello { $name }
pin-unlock-intro = Enter your PIN to unlock.
pin-submit = Unlock
pin-create-submit = Save PIN
lock = Lock
locked-after = The app locks after { NUMBER($minutes) ->
    [one] { NUMBER($minutes) } minute
   *[other] { NUMBER($minutes) } minutes
  } without use.
# Home
home-title = My work
home-search = Search
home-new = New interview
home-empty = Nothing here yet.
home-last-sync = Last sync: { $when }
home-never-synced = Never synced
home-count = { NUMBER($count) ->
    [0] no interviews
    [one] { NUMBER($count) } interview
   *[other] { NUMBER($count) } interviews
  }
status-to_start = To start
status-in_progress = In progress
status-completed = Completed
status-sent = Sent
status-approved = Approved
status-rejected = Rejected with comments
quota-title = My quotas
quota-open = Open
quota-nearly_full = Nearly full
quota-full = Full
quota-fill = { NUMBER($fill) } / { NUMBER($target) }
open = Open
start = Start
receipt = Receipt no. { $sequence } ({ $when })
assignment-quantity = { $used } of { $quantity } interviews done
assignment-unlimited = { $used ->
    [one] { $used } interview done
   *[other] { $used } interviews done
 }, no limit
supervisor-note = Supervisor's note: { $note }
# Interview
nav-previous = Previous
nav-next = Next
nav-sections = Sections
nav-review = Review and finish
nav-home = Home
screen-position = { NUMBER($position) } of { NUMBER($count) }
required = required
confirm-warning = I confirm
warning-confirmed = Warning confirmed
clear-answer = Clear
search-list = Search the list
no-match = No match
amount = Amount
currency = Currency
gps-capture = Record position
gps-accuracy = Accuracy: { NUMBER($metres, maximumFractionDigits: 0) } m
gps-unavailable = Position unavailable
gps-capturing = Looking for the position…
gps-denied = Location permission refused: allow it in the tablet's settings.
roster-add = Add a row
roster-remove = Remove
roster-open = Open
roster-overview = Overview
roster-empty = No rows
roster-progress = { NUMBER($answered) } / { NUMBER($questions) }
section-progress = { NUMBER($answered) } / { NUMBER($questions) }
section-done = Done
section-problems = { NUMBER($count) ->
    [one] { NUMBER($count) } problem
   *[other] { NUMBER($count) } problems
  }
comment = Supervisor's comment
yes = Yes
no = No
acknowledge = OK
# Review
review-title = Review before finishing
review-answered = { NUMBER($answered) } answers to { NUMBER($questions) } questions
review-unanswered = Unanswered
review-error = Error
review-warning = Warning
review-comment = Comment
review-all-good = Everything is ready.
review-complete = Finish the interview
review-back = Back to the interview
review-go = Go to the question
# Sync
sync = Sync
sync-running = Syncing…
sync-upload = Sending { NUMBER($done) } / { NUMBER($total) }
sync-download = Receiving updates
sync-done = Sync finished: { NUMBER($sent) } sent, { NUMBER($rejected) } rejected, { NUMBER($assignments) } assignment(s).
sync-receipts = Receipts
sync-automatic = Network back: syncing automatically.
# Errors
error-wrong_pin = Wrong PIN.
error-locked_out = Too many attempts. Try again in { NUMBER($seconds) } seconds.
error-bad_pin = The PIN must be 4 to 12 digits.
error-locked = The app is locked.
error-not_enrolled = This tablet is not enrolled yet.
error-no_interview = No interview is open.
error-not_found = Not found.
error-rejected_step = This answer was not accepted.
error-questionnaire = The questionnaire cannot be loaded.
error-incomplete = The interview is not complete.
error-network = No connection to the server. Your data stays on the tablet; try again later.
error-unauthorised = The server refused this tablet. Contact your supervisor.
error-bad_code = Invalid or expired enrolment code.
error-server = The server reported an error. Try again later.
error-upload = Some interviews could not be sent; they stay on the tablet.
error-store = Storage error on the tablet.
error-local = Error on the tablet.
error-internal = Unexpected error.
error-quantity_reached = This assignment has all its interviews already.
error-scan_unavailable = This device has no camera scanner: type the server address and the code.
error-camera_denied = Camera permission refused: allow it in the tablet's settings, or type the code.
error-scan_cancelled = Scan cancelled.
error-scan_not_enrolment = This QR code is not a Daftar enrolment code.
`,wn=["fr","ar","en"],gn={fr:fn,ar:mn,en:vn},F={fr:"fr-MA-u-nu-latn",ar:"ar-MA-u-nu-latn",en:"en-MA-u-nu-latn"},pe=new Map;function V(e){let n=pe.get(e);if(!n){n=new Ze(F[e],{useIsolating:!0});const t=n.addResource(new hn(gn[e]));if(t.length)throw new Error(`i18n/${e}/app.ftl: ${t.map(String).join("; ")}`);pe.set(e,n)}return n}let $="fr";function b(){return $}function yn(e=$){return e==="ar"}function he(e){$=e,document.documentElement.lang=e,document.documentElement.dir=yn(e)?"rtl":"ltr"}function a(e,n){const t=V($),r=t.getMessage(e);return r?.value?t.formatPattern(r.value,n):e}function fe(e,n={}){return new Intl.NumberFormat(F[$],n).format(e)}function H(e){return new Intl.DateTimeFormat(F[$],{dateStyle:"medium",timeStyle:"short"}).format(new Date(e))}function Ne(e){return e.replace(/[\u0660-\u0669]/g,n=>String(n.charCodeAt(0)-1632)).replace(/[\u06f0-\u06f9]/g,n=>String(n.charCodeAt(0)-1776)).replace(/\u066b/g,".").replace(/\u066c/g,"")}function O(e,n){const t=s("input",{type:"password",inputmode:"numeric",autocomplete:"off",class:"field pin",id:e,dir:"ltr",maxlength:12});return[s("label",{for:e,class:"item-label"},n),t]}function En(e,n){const t=s("input",{type:"url",id:"enrol-server",class:"field",dir:"ltr",autocomplete:"off",value:"https://"}),r=s("input",{type:"text",id:"enrol-code",class:"field",dir:"ltr",autocomplete:"off",autocapitalize:"characters"}),[i,o]=O("training-pin",a("pin-label"));return s("main",{class:"card narrow","data-screen":"enrol"},s("h1",{},a("enrol-title")),s("p",{},a("enrol-intro")),s("label",{for:"enrol-server",class:"item-label"},a("enrol-server")),t,s("label",{for:"enrol-code",class:"item-label"},a("enrol-code")),r,n?s("p",{class:"issue error",role:"alert"},n):null,s("div",{class:"actions"},e.scan?s("button",{type:"button",class:"secondary",id:"enrol-scan",onclick:()=>e.scan?.()},a("enrol-scan")):null,s("button",{type:"button",class:"primary",id:"enrol-submit",onclick:()=>e.enrol(t.value,r.value)},a("enrol-submit"))),s("details",{class:"training"},s("summary",{},a("enrol-training")),i,o,s("button",{type:"button",class:"secondary",id:"training-start",onclick:()=>e.training(o.value)},a("start"))))}function bn(e,n){const[t,r]=O("pin-new",a("pin-label")),[i,o]=O("pin-repeat",a("pin-confirm")),u=s("p",{class:"issue error",role:"alert",hidden:!n},n??"");return s("main",{class:"card narrow","data-screen":"create-pin"},s("h1",{},a("pin-create-title")),s("p",{},a("pin-create-intro")),t,r,i,o,u,s("div",{class:"actions"},s("button",{type:"button",class:"primary",id:"pin-save",onclick:()=>{if(r.value!==o.value){u.textContent=a("pin-mismatch"),u.hidden=!1;return}e.createPin(r.value)}},a("pin-create-submit"))))}function Rn(e,n,t,r){const[i,o]=O("pin-unlock",a("pin-label"));return o.addEventListener("keydown",u=>{u.key==="Enter"&&t.unlock(o.value)}),s("main",{class:"card narrow","data-screen":"unlock"},s("h1",{},a("pin-unlock-title",{name:e})),s("p",{},a("pin-unlock-intro")),i,o,r?s("p",{class:"issue error",role:"alert"},r):null,s("div",{class:"actions"},s("button",{type:"button",class:"primary",id:"pin-submit",onclick:()=>t.unlock(o.value)},a("pin-submit"))),s("p",{class:"muted"},a("locked-after",{minutes:n})))}async function _n(e){return await y("plugin:geolocation|get_current_position",{options:e})}async function Nn(){return await Re("geolocation")}async function $n(e){return await y("plugin:geolocation|request_permissions",{permissions:e})}var W;(function(e){e.QRCode="QR_CODE",e.UPC_A="UPC_A",e.UPC_E="UPC_E",e.EAN8="EAN_8",e.EAN13="EAN_13",e.Code39="CODE_39",e.Code93="CODE_93",e.Code128="CODE_128",e.Codabar="CODABAR",e.ITF="ITF",e.Aztec="AZTEC",e.DataMatrix="DATA_MATRIX",e.PDF417="PDF_417",e.GS1DataBar="GS1_DATA_BAR",e.GS1DataBarLimited="GS1_DATA_BAR_LIMITED",e.GS1DataBarExpanded="GS1_DATA_BAR_EXPANDED"})(W||(W={}));async function kn(e){return await y("plugin:barcode-scanner|scan",{...e})}async function Sn(){return await Re("barcode-scanner").then(e=>e.camera)}async function Mn(){return await Te("barcode-scanner").then(e=>e.camera)}let L=!1;function An(e){L=e}function In(){return L}function w(e,n){return{code:e,message:n}}const me=3e4;async function Un(){if(L){let e=await Nn();if(e.location!=="granted"&&(e=await $n(["location"])),e.location!=="granted")throw w("gps_denied","location permission not granted");const n=await _n({enableHighAccuracy:!0,timeout:me,maximumAge:0}).catch(t=>{throw w("gps_unavailable",String(t))});return ve(n.coords)}if(typeof navigator>"u"||!("geolocation"in navigator))throw w("gps_unavailable","no position source on this device");return new Promise((e,n)=>navigator.geolocation.getCurrentPosition(t=>e(ve(t.coords)),t=>n(w(t.code===1?"gps_denied":"gps_unavailable",t.message)),{enableHighAccuracy:!0,timeout:me,maximumAge:0}))}function ve(e){if(![e.latitude,e.longitude,e.accuracy].every(Number.isFinite))throw w("gps_unavailable","the position source gave no coordinates");return[e.latitude,e.longitude,e.altitude??0,e.accuracy]}const we="daftar-enrol:1?";function Bn(e){const n=e.trim();if(!n.startsWith(we))return null;const t=n.slice(we.length),r=t.lastIndexOf("&code=");if(!t.startsWith("server=")||r<0)return null;const i=t.slice(7,r),o=t.slice(r+6);return!/^https?:\/\/[^\s]+$/.test(i)||!/^[A-Za-z0-9-]+$/.test(o)?null:{server:i,code:o}}async function On(){if(!L)throw w("scan_unavailable","no camera scanner on this device");let e=await Sn();if(e!=="granted"&&(e=await Mn()),e!=="granted")throw w("camera_denied","camera permission not granted");const n=await kn({formats:[W.QRCode],windowed:!1}).catch(r=>{throw w("scan_cancelled",String(r))}),t=Bn(n.content);if(!t)throw w("scan_not_enrolment","the code scanned is not a Daftar enrolment code");return t}const Tn=["rejected","to_start","in_progress","completed","sent","approved"];function Dn(e,n){const t=n.trim().toLowerCase(),r=new Map;for(const i of Tn)r.set(i,[]);for(const i of e){const o=`${i.label} ${i.title} ${i.id} ${i.assignmentId??""}`.toLowerCase();t&&!o.includes(t)||(r.has(i.status)||r.set(i.status,[]),r.get(i.status).push(i))}for(const[i,o]of r)o.length||r.delete(i);return r}function Ln(e){const[,n,...t]=e.split("/");return a("receipt",{sequence:n,when:t.join("/")})}function Cn(e,n){return s("li",{class:`entry status-${e.status}`,"data-entry":e.id,"data-status":e.status},s("div",{class:"entry-text"},s("span",{class:"entry-label",dir:"auto"},e.label),s("span",{class:"entry-title muted",dir:"auto"},e.title),e.updatedMs?s("span",{class:"muted small"},H(e.updatedMs)):null,e.reviewNote?s("span",{class:"comment"},a("supervisor-note",{note:e.reviewNote})):null,e.receipt?s("span",{class:"receipt small","data-receipt":e.id},Ln(e.receipt)):null,e.used!==null?s("span",{class:"small","data-quantity":e.id},e.quantity!==null?a("assignment-quantity",{used:e.used,quantity:e.quantity}):a("assignment-unlimited",{used:e.used})):null),s("button",{type:"button",class:e.status==="to_start"?"primary":"secondary","data-open":e.id,onclick:()=>n.open(e)},e.status==="to_start"?a("start"):a("open")))}function qn(e,n,t,r){const i=s("input",{type:"search",class:"field",id:"home-search",placeholder:a("home-search"),"aria-label":a("home-search"),dir:"auto",value:n}),o=s("div",{class:"entries"}),u=d=>{const R=Dn(e.entries,d);o.replaceChildren(...R.size?[...R].map(([I,_])=>s("section",{class:"group","data-group":I},s("h2",{},a(`status-${I}`)," ",s("span",{class:"badge"},a("home-count",{count:_.length}))),s("ul",{class:"entry-list"},_.map(k=>Cn(k,t))))):[s("p",{class:"muted"},a("home-empty"))])};return i.addEventListener("input",()=>{r(i.value),u(i.value)}),u(n),s("main",{class:"home","data-screen":"home"},s("div",{class:"home-head"},s("h1",{},a("home-title")),s("p",{class:"muted",id:"last-sync"},e.lastSyncMs?a("home-last-sync",{when:H(e.lastSyncMs)}):a("home-never-synced"))),i,o,e.quotas.length?s("section",{class:"quotas"},s("h2",{},a("quota-title")),s("ul",{class:"quota-list"},e.quotas.map(d=>s("li",{class:`quota quota-${d.state}`},s("span",{dir:"auto"},s("bdi",{},d.cell)),s("span",{class:"badge"},a(`quota-${d.state}`)),s("span",{class:"small"},a("quota-fill",{fill:d.fill,target:d.target})))))):null,e.questionnaires.length?s("section",{class:"free"},s("h2",{},a("home-new")),e.questionnaires.map(d=>s("button",{type:"button",class:"secondary","data-start":d,onclick:()=>t.startFree(d)},s("bdi",{},d.split("@")[0])))):null)}const xn=12;function $e(e,n){const t=Ne(n).trim().replace(/\s/g,"").replace(",",".");if(t==="")return null;const r=Number(t);return!Number.isFinite(r)||e==="integer"&&!Number.isInteger(r)?"invalid":r}function Pn(e,n){const t=i=>i.normalize("NFD").replace(/\p{M}/gu,"").toLowerCase(),r=t(Ne(n.trim()));return r?e.filter(i=>t(i.label).includes(r)||t(i.altLabel??"").includes(r)||t(i.code).includes(r)):e}function T(e){return s("span",{class:"choice-text"},s("span",{class:"choice-label"},e.label),e.altLabel?s("span",{class:"choice-alt",lang:b()==="ar"?"fr":"ar",dir:"auto"},e.altLabel):null)}function jn(e,n){const t=e.kind==="integer"?"integer":"decimal",r=s("input",{type:"text",inputmode:t==="integer"?"numeric":"decimal",dir:"ltr",class:"field number",id:`f-${e.path}`,"data-path":e.path,value:typeof e.value=="number"?String(e.value):"",disabled:e.readOnly,autocomplete:"off"}),i=()=>{const o=$e(t,r.value);if(o==="invalid"){r.setAttribute("aria-invalid","true");return}o!==e.value&&n(o)};return r.addEventListener("change",i),r.addEventListener("keydown",o=>{o.key==="Enter"&&i()}),r}function ge(e,n){const t=e.appearance?.includes("multiline"),r={class:"field text",id:`f-${e.path}`,"data-path":e.path,dir:"auto",disabled:e.readOnly,autocomplete:"off"},i=t?s("textarea",{...r,rows:4}):s("input",{...r,type:"text"});return i.value=typeof e.value=="string"?e.value:"",i.addEventListener("change",()=>{const o=i.value.trim();n(o===""?null:o)}),i}function P(e,n,t){const r=s("input",{type:t,class:"field date",dir:"ltr",id:`f-${e.path}`,"data-path":e.path,disabled:e.readOnly}),i=typeof e.value=="string"?e.value:"";return r.value=t==="datetime-local"?i.slice(0,16):t==="time"?i.slice(0,5):i,r.addEventListener("change",()=>{if(!r.value)return n(null);if(t==="time")return n(r.value.length===5?`${r.value}:00`:r.value);if(t==="datetime-local")return n(new Date(r.value).toISOString());n(r.value)}),r}function ye(e,n,t){return s("div",{class:"choices",role:"radiogroup","aria-labelledby":`l-${e.path}`},t.map(r=>s("button",{type:"button",class:`choice${e.value===r.code?" selected":""}`,role:"radio","aria-checked":e.value===r.code?"true":"false","data-path":e.path,"data-code":r.code,disabled:e.readOnly,onclick:()=>n(e.value===r.code?null:r.code)},T(r))))}function Wn(e,n){const t=e.choices.find(u=>u.code===e.value),r=s("div",{class:"choices search-results",role:"listbox"}),i=s("input",{type:"search",class:"field search",dir:"auto",placeholder:a("search-list"),"aria-label":a("search-list"),"data-path":e.path,"data-search":"true",disabled:e.readOnly,autocomplete:"off"}),o=()=>{const u=Pn(e.choices,i.value).slice(0,30);r.replaceChildren(...u.length?u.map(d=>s("button",{type:"button",role:"option",class:`choice${e.value===d.code?" selected":""}`,"aria-selected":e.value===d.code?"true":"false","data-path":e.path,"data-code":d.code,onclick:()=>n(d.code)},T(d),s("bdi",{class:"code"},d.code))):[s("p",{class:"muted"},a("no-match"))])};return i.addEventListener("input",o),t&&(i.value=""),o(),s("div",{class:"search-list"},t?s("p",{class:"current-choice"},T(t)):null,i,r)}function zn(e,n){const t=Array.isArray(e.value)?e.value:[];return s("div",{class:"choices",role:"group"},e.choices.map(r=>{const i=t.includes(r.code);return s("button",{type:"button",role:"checkbox","aria-checked":i?"true":"false",class:`choice${i?" selected":""}`,"data-path":e.path,"data-code":r.code,disabled:e.readOnly,onclick:()=>{const o=i?t.filter(u=>u!==r.code):[...t,r.code];n(o.length?o:null)}},T(r))}))}function Fn(e,n){const t=e.value??{},r=s("input",{type:"text",inputmode:"decimal",dir:"ltr",class:"field number","aria-label":a("amount"),"data-path":e.path,"data-part":"amount",value:t.amount!==void 0?String(t.amount):"",disabled:e.readOnly}),i=s("select",{class:"field currency","aria-label":a("currency"),"data-part":"currency",disabled:e.readOnly},e.currencies.map(u=>s("option",{value:u.code,selected:(t.currency??"MAD")===u.code},`${u.code} — ${u.label}`)));i.value=t.currency??e.currencies.find(u=>u.code==="MAD")?.code??e.currencies[0]?.code??"MAD";const o=()=>{const u=$e("decimal",r.value);if(u==="invalid")return r.setAttribute("aria-invalid","true");n(u===null?null:{amount:u,currency:i.value})};return r.addEventListener("change",o),i.addEventListener("change",()=>r.value&&o()),s("div",{class:"money"},s("label",{},a("amount"),r),s("label",{},a("currency"),i))}function Vn(e,n){const t=Array.isArray(e.value)?e.value:null,r=s("p",{class:"muted","aria-live":"polite"},t?s("bdi",{dir:"ltr"},`${fe(t[0],{maximumFractionDigits:6})}, ${fe(t[1],{maximumFractionDigits:6})}`):null,t?" · "+a("gps-accuracy",{metres:t[3]}):null),i=()=>{r.textContent=a("gps-capturing"),Un().then(n,o=>{r.textContent=a(o.code==="gps_denied"?"gps-denied":"gps-unavailable")})};return s("div",{class:"geo"},s("button",{type:"button",class:"secondary","data-path":e.path,onclick:i,disabled:e.readOnly},a("gps-capture")),r)}function Hn(e,n){switch(e.kind){case"integer":case"decimal":return jn(e,n);case"text":return ge(e,n);case"date":return P(e,n,"date");case"time":return P(e,n,"time");case"datetime":return P(e,n,"datetime-local");case"yes_no":return ye(e,n,e.choices.length?e.choices:[{code:"yes",label:a("yes"),altLabel:null},{code:"no",label:a("no"),altLabel:null}]);case"single":return e.choices.length>xn||e.appearance?.includes("search")||e.appearance?.includes("minimal")?Wn(e,n):ye(e,n,e.choices);case"multiple":return zn(e,n);case"money":return Fn(e,n);case"geopoint":return Vn(e,n);case"acknowledge":return s("button",{type:"button",class:`choice${e.value?" selected":""}`,"data-path":e.path,onclick:()=>n(e.value?null:"OK")},a("acknowledge"));case"note":return null;default:return ge(e,n)}}function Gn(e,n,t){const r=e.issues.filter(o=>!o.soft),i=e.issues.filter(o=>o.soft);return s("section",{class:`item kind-${e.kind}${r.length?" has-error":""}`,"data-item":e.path,"aria-invalid":r.length?"true":null},s("label",{class:"item-label",id:`l-${e.path}`,for:`f-${e.path}`},s("span",{dir:"auto"},e.label),e.required?s("span",{class:"required",title:a("required")}," *",s("span",{class:"sr-only"},a("required"))):null),e.hint?s("p",{class:"hint",dir:"auto"},e.hint):null,e.comment?s("p",{class:"comment",role:"note","data-comment":e.path},s("strong",{},a("comment"),": "),s("span",{dir:"auto"},e.comment)):null,Hn(e,n),r.map(o=>s("p",{class:"issue error",role:"alert","data-issue":o.code},s("span",{dir:"auto"},o.message))),i.map(o=>s("div",{class:"issue warning","data-issue":o.code},s("span",{dir:"auto"},o.message),o.confirmed?s("span",{class:"confirmed"}," ✓ ",a("warning-confirmed")):s("button",{type:"button",class:"secondary","data-confirm":e.path,onclick:()=>t(e.path)},a("confirm-warning")))))}function Kn(e){return e.errors+e.warnings>0?"problems":e.missing===0&&e.answered>0?"done":"todo"}function Qn(e,n){return s("nav",{class:"sections","aria-label":a("nav-sections")},s("h2",{class:"sr-only"},a("nav-sections")),s("ol",{},e.sections.map(t=>{const r=Kn(t);return s("li",{},s("button",{type:"button",class:`section section-${r}`,"data-section":t.path,onclick:()=>n.goTo(t.path)},s("span",{class:"section-label",dir:"auto"},t.label),s("span",{class:"small"},r==="problems"?a("section-problems",{count:t.errors+t.warnings}):r==="done"?a("section-done"):a("section-progress",{answered:t.answered,questions:t.questions}))))})))}function Zn(e,n){const t=e.roster;return t?s("section",{class:"roster","data-roster":t.path},s("h2",{},s("span",{dir:"auto"},t.label)," · ",a("roster-overview")),t.rows.length?s("table",{class:"roster-table"},s("tbody",{},t.rows.map(r=>s("tr",{"data-row":r.path,class:e.anchor.startsWith(r.path+".")?"current":null},s("td",{dir:"auto"},r.label),s("td",{class:"small"},a("roster-progress",{answered:r.answered,questions:r.questions})),s("td",{class:"row-actions"},s("button",{type:"button",class:"secondary",onclick:()=>n.goTo(r.path)},a("roster-open")),t.counted?null:s("button",{type:"button",class:"danger","data-remove":r.path,onclick:()=>n.removeRow(r.path)},a("roster-remove"))))))):s("p",{class:"muted"},a("roster-empty")),t.counted?null:s("button",{type:"button",class:"primary","data-add":t.path,onclick:()=>n.addRow(t.path)},a("roster-add"))):null}function Xn(e,n){const t=r=>i=>n.answer(r,i);return s("div",{class:"interview","data-screen":"interview","data-anchor":e.anchor},Qn(e,n),s("main",{class:"page"},e.reviewNote?s("p",{class:"comment",role:"note"},a("supervisor-note",{note:e.reviewNote})):null,e.groupLabel?s("h2",{class:"group-label",dir:"auto"},e.groupLabel):null,e.items.map(r=>Gn(r,t(r.path),n.confirm)),Zn(e,n),s("div",{class:"pager"},s("button",{type:"button",class:"secondary",id:"nav-previous",disabled:!e.hasPrevious,onclick:n.previous},a("nav-previous")),s("span",{class:"small",id:"position"},a("screen-position",{position:e.position,count:e.screenCount})),e.hasNext?s("button",{type:"button",class:"primary",id:"nav-next",onclick:n.next},a("nav-next")):s("button",{type:"button",class:"primary",id:"nav-review",onclick:n.review},a("nav-review")))))}function Jn(e,n){const t={unanswered:"review-unanswered",error:"review-error",warning:"review-warning",comment:"review-comment"};return s("main",{class:"card review","data-screen":"review"},s("h1",{},a("review-title")),s("p",{},a("review-answered",{answered:e.answered,questions:e.questions})),e.lines.length?s("ul",{class:"review-list"},e.lines.map(r=>s("li",{class:`review-line review-${r.kind}`,"data-review":r.path},s("span",{class:"badge"},a(t[r.kind]??r.kind)),s("span",{class:"review-text"},s("span",{dir:"auto"},r.label),s("br",{}),s("span",{class:"small",dir:"auto"},r.message)),s("button",{type:"button",class:"secondary",onclick:()=>n.goTo(r.path)},a("review-go"))))):s("p",{class:"ok"},a("review-all-good")),s("div",{class:"actions"},s("button",{type:"button",class:"secondary",id:"review-back",onclick:n.previous},a("review-back")),s("button",{type:"button",class:"primary",id:"review-complete",disabled:!e.canComplete,onclick:n.complete},a("review-complete"))))}function Ee(e,n={}){const t=`error-${e.code}`;if(!V(b()).hasMessage(t))return a("error-internal");if(e.code==="locked_out"){const r=Number(/(\d+)/.exec(e.message)?.[1]??30);return a(t,{seconds:r})}return e.code==="rejected_step"||e.code==="upload"||e.code==="server"?`${a(t)} (${e.message})`:a(t,n)}class Yn{constructor(n){this.root=n}root;view={kind:"loading"};status=null;error=null;query="";syncing=!1;progress=null;lastReport=null;idleTimer=null;async start(){he(b()),await p.onSyncProgress(n=>{this.progress=n,this.renderBar()}).catch(()=>{});for(const n of["pointerdown","keydown"])window.addEventListener(n,()=>this.touch(),{passive:!0});window.addEventListener("online",()=>{this.autoSync()}),await this.refresh()}touch(){this.idleTimer&&clearTimeout(this.idleTimer);const n=this.status?.lockAfterMinutes??5;this.idleTimer=setTimeout(()=>{this.lock()},n*6e4)}async refresh(){try{this.status=await p.status();const n=this.status;An(n.sensors),n.unlocked?(this.view={kind:"home",home:await p.home(b())},this.touch()):this.view={kind:n.hasProfile?"unlock":n.enrolled?"create-pin":"enrol"}}catch(n){this.fail(n)}this.render()}fail(n){this.error=Ee(n)}async run(n,t){this.error=null;try{await t(await n())}catch(r){this.fail(r)}this.render()}async lock(){await p.lock().catch(()=>{}),await this.refresh()}async setLanguage(n){he(n),this.view.kind==="interview"?await this.run(()=>p.setLanguage(n),t=>{t&&(this.view={kind:"interview",screen:t})}):this.view.kind==="home"?await this.run(()=>p.home(n),t=>{this.view={kind:"home",home:t}}):this.render()}async autoSync(){this.status?.unlocked&&this.status.enrolled&&!this.syncing&&this.view.kind==="home"&&await this.sync()}async sync(){this.syncing=!0,this.progress={phase:"upload",done:0,total:0},this.renderBar(),await this.run(()=>p.sync(),async n=>{this.lastReport=n,n.errorCode&&(this.error=Ee({code:n.errorCode,message:n.error??""})),this.status=await p.status(),this.view={kind:"home",home:await p.home(b())}}),this.syncing=!1,this.progress=null,this.render()}show=n=>{this.view={kind:"interview",screen:n}};interviewHandlers(){return{answer:(n,t)=>{this.run(()=>p.answer(n,t),this.show)},confirm:n=>{this.run(()=>p.confirmWarning(n),this.show)},next:()=>{this.run(()=>p.navigate({to:"next"}),this.show)},previous:()=>{this.run(()=>p.navigate({to:"previous"}),this.show)},goTo:n=>{this.run(()=>p.navigate({to:"path",path:n}),this.show)},addRow:n=>{this.run(()=>p.addRow(n),this.show)},removeRow:n=>{this.run(()=>p.removeRow(n),this.show)},review:()=>{this.run(()=>p.review(),n=>{this.view={kind:"review",review:n}})},home:()=>{this.run(()=>p.closeInterview(),()=>this.refresh())},complete:()=>{this.run(()=>p.complete(),()=>this.refresh())}}}openEntry(n){n.kind==="assignment"?this.run(()=>p.startInterview(n.id,null),this.show):this.run(()=>p.openInterview(n.id),this.show)}topBar(){const n=this.view.kind==="interview"||this.view.kind==="review",t=this.status?.unlocked;return s("header",{class:"topbar"},s("span",{class:"brand"},a("app-title")),n?s("button",{type:"button",class:"secondary",id:"nav-home",onclick:()=>this.interviewHandlers().home()},a("nav-home")):null,s("span",{class:"spacer"}),s("div",{class:"langs",role:"group","aria-label":a("lang-switch")},wn.map(r=>s("button",{type:"button",class:`lang${r===b()?" selected":""}`,lang:r,"data-lang":r,"aria-pressed":r===b()?"true":"false",onclick:()=>{this.setLanguage(r)}},V(r).getMessage("lang-name")?.value?.toString()??r))),t&&this.status?.enrolled&&!n?s("button",{type:"button",class:"primary",id:"sync",disabled:this.syncing,onclick:()=>{this.sync()}},this.syncing?a("sync-running"):a("sync")):null,t?s("button",{type:"button",class:"secondary",id:"lock",onclick:()=>{this.lock()}},a("lock")):null)}barHost=null;renderBar(){if(!this.barHost)return;const n=this.progress;if(!n){this.barHost.replaceChildren();return}const t=n.phase==="done"?1:n.total?n.done/n.total:0;this.barHost.replaceChildren(s("progress",{id:"sync-progress",max:1,value:t}),s("span",{class:"small"},n.phase==="upload"?a("sync-upload",{done:n.done,total:n.total}):a("sync-download")))}reportView(){const n=this.lastReport;return!n||this.view.kind!=="home"?null:s("section",{class:"report",id:"sync-report",role:"status"},s("p",{},a("sync-done",{sent:n.sent,rejected:n.rejected,assignments:n.assignments})),n.receipts.length?s("ul",{class:"receipts"},n.receipts.map(t=>s("li",{"data-receipt-for":t.interviewId},a("receipt",{sequence:t.sequence,when:t.receivedAt})," ",s("bdi",{class:"small"},t.interviewId.slice(-6))))):null,s("p",{class:"small muted"},H(n.finishedMs)))}render(){const n={enrol:(i,o)=>{this.run(()=>p.enrol(i,o),()=>this.refresh())},scan:In()?()=>{this.run(()=>On().then(i=>p.enrol(i.server,i.code)),()=>this.refresh())}:void 0,training:i=>{this.run(()=>p.trainingProfile("",i),()=>this.refresh())},createPin:i=>{this.run(()=>p.createPin(i),()=>this.refresh())},unlock:i=>{this.run(()=>p.unlock(i),()=>this.refresh())}};let t;switch(this.view.kind){case"loading":t=s("main",{class:"card narrow","aria-busy":"true"});break;case"enrol":t=En(n,this.error);break;case"create-pin":t=bn(n,this.error);break;case"unlock":t=Rn(this.status?.displayName??"",this.status?.lockAfterMinutes??5,n,this.error);break;case"home":t=qn(this.view.home,this.query,{open:i=>this.openEntry(i),startFree:i=>{this.run(()=>p.startInterview(null,i),this.show)}},i=>this.query=i);break;case"interview":t=Xn(this.view.screen,this.interviewHandlers());break;case"review":t=Jn(this.view.review,this.interviewHandlers());break}this.barHost=s("div",{class:"progress-host","aria-live":"polite"});const r=this.error&&!["enrol","create-pin","unlock"].includes(this.view.kind);Be(this.root,this.topBar(),this.barHost,r?s("p",{class:"banner error",role:"alert",id:"error"},this.error):null,this.reportView(),t),this.renderBar()}}const be=document.getElementById("app");be&&new Yn(be).start();
